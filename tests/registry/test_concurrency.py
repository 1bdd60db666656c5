from __future__ import annotations

import threading

import pytest
from django.db import connection

from registry import services
from registry.models import ChangeRecord, Membership, Organisation
from tests.registry.factories import make_organisation, person

WRITERS = 4


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_edits_of_one_profile_one_wins_the_rest_get_the_conflict(django_user_model):
    organisation = make_organisation(phone="+7 7172 00 00 00")
    users = []
    for n in range(WRITERS):
        user = person(f"writer{n}")
        Membership.objects.create(user=user, organisation=organisation, role="editor")
        users.append(user)
    barrier = threading.Barrier(WRITERS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def write(n: int) -> None:
        try:
            barrier.wait(timeout=10)
            services.organisation_profile_update(
                organisation=Organisation.objects.get(pk=organisation.pk),
                acting_user=users[n],
                expected_version=1,
                source="manager",
                values={"phone": f"+7 7172 00 00 0{n + 1}"},
            )
            result = "won"
        except services.ProfileConflict as conflict:
            result = "conflict" if conflict.changes else "conflict without the winner's changes"
        except Exception as error:
            result = f"error: {error!r}"
        finally:
            connection.close()  # this thread's own connection
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["conflict"] * (WRITERS - 1) + ["won"], outcomes
    organisation.refresh_from_db()
    assert organisation.version == 2
    (change,) = ChangeRecord.objects.filter(organisation=organisation)
    assert organisation.phone == change.new_value
