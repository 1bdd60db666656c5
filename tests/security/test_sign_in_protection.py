"""Found 4 (issue 14): throttles trusted X-Forwarded-For as sent; login lockout had no cap per address, and behind
the production proxy anyone could lock anyone out.

Now the client address comes from TRUSTED_PROXIES (api.common.client_address), sign-in is capped per address and
slowed per account, and django-axes' lockout is per account + address, so an attacker pauses only themselves.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from api.common import client_address
from registry import signin
from tests.registry.factories import person

pytestmark = pytest.mark.django_db
PASSWORD = "a long pass phrase 2026"


def attempt(client, name, password="wrong guess", address="203.0.113.7", **headers):
    client.cookies.pop(settings.SESSION_COOKIE_NAME, None)  # signed out; the browser keeps its other cookies
    return client.post(reverse("login"), {"username": name, "password": password}, REMOTE_ADDR=address, **headers)


def signed_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == reverse("registry:my_organisations")


@pytest.fixture
def accounts(db):
    return [person(f"member{n}") for n in range(13)]


def test_guessing_many_accounts_from_one_address_is_capped(client, accounts):
    for n in range(48):  # 48 wrong passwords over 12 user names, as in the finding
        attempt(client, accounts[n % 12].username)
    refused = attempt(client, accounts[12].username, PASSWORD)
    assert not signed_in(refused) and "Too many failed sign-ins from your network" in refused.content.decode()
    assert signed_in(attempt(client, accounts[12].username, PASSWORD, address="198.51.100.2"))


def test_one_account_guessed_from_many_addresses_is_slowed(client, accounts, monkeypatch):
    now = [1_000_000.0]
    monkeypatch.setattr(signin.time, "time", lambda: now[0])
    victim = accounts[0].username
    for n in range(signin.ACCOUNT_FREE + 3):
        attempt(client, victim, address=f"192.0.2.{n}")
    slowed = attempt(client, victim, PASSWORD, address="192.0.2.200")
    assert not signed_in(slowed) and "Wait 2 seconds" in slowed.content.decode()
    for n in range(3):  # each failure past five doubles the wait: 2, 4, 8 … seconds
        now[0] += 2 ** (n + 1)
        attempt(client, victim, address=f"192.0.2.{50 + n}")
    assert "Wait 16 seconds" in attempt(client, victim, PASSWORD, address="192.0.2.60").content.decode()
    now[0] += 16
    assert signed_in(attempt(client, victim, PASSWORD, address="192.0.2.200"))
    assert get_user_model().objects.get(username=victim).last_login is not None


def test_an_attacker_locks_out_only_themselves(client, accounts, monkeypatch):
    now = [1_000_000.0]
    monkeypatch.setattr(signin.time, "time", lambda: now[0])
    victim = accounts[0]
    owner = Client()
    assert signed_in(attempt(owner, victim.username, PASSWORD, address="198.51.100.9"))  # her own browser, last week
    for n in range(40):  # the attacker keeps the slow-down at its longest, from ever new addresses
        now[0] += signin.SLOWEST
        attempt(client, victim.email, address=f"203.0.113.{n}")
    assert "Wait 300 seconds" in attempt(Client(), victim.username, PASSWORD, address="192.0.2.1").content.decode()
    assert signed_in(attempt(owner, victim.username, PASSWORD, address="198.51.100.9"))  # the owner, at once
    assert signed_in(attempt(owner, victim.email, PASSWORD, address="192.0.2.55"))  # from anywhere, her browser
    assert not signed_in(attempt(client, victim.username, PASSWORD, address="203.0.113.1"))  # the attacker's side


def test_a_new_browser_gets_in_by_resetting_the_password(client, accounts, monkeypatch):
    now = [1_000_000.0]
    monkeypatch.setattr(signin.time, "time", lambda: now[0])
    victim = accounts[0]
    for n in range(12):
        attempt(client, victim.username, address=f"203.0.113.{n}")
    fresh = Client()
    assert not signed_in(attempt(fresh, victim.username, PASSWORD, address="198.51.100.9"))
    fresh.post(reverse("password_reset"), {"email": victim.email})
    link = re.search(r"http://testserver(/accounts/reset/\S+)", mail.outbox[-1].body).group(1)
    form = fresh.get(link, follow=True)
    new_password = "a brand new pass phrase 2027"
    done = fresh.post(form.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
    assert done.status_code == 302 and "_auth_user_id" in fresh.session
    assert signed_in(attempt(fresh, victim.username, new_password, address="198.51.100.9"))  # remembered now


def test_a_forged_device_cookie_counts_for_nothing(client, accounts, monkeypatch):
    now = [1_000_000.0]
    monkeypatch.setattr(signin.time, "time", lambda: now[0])
    victim = accounts[0]
    for n in range(8):
        attempt(client, victim.username, address=f"203.0.113.{n}")
    client.cookies[signin.DEVICE_COOKIE] = signing.dumps([victim.pk], salt="some other salt")
    assert "Wait" in attempt(client, victim.username, PASSWORD, address="203.0.113.99").content.decode()


def test_a_forwarded_for_header_sent_by_the_client_counts_for_nothing(client, accounts, settings):
    settings.TRUSTED_PROXIES = 0
    for n in range(signin.ADDRESS_CAP):
        attempt(client, accounts[n % 12].username, HTTP_X_FORWARDED_FOR=f"10.1.{n}.1")
    refused = attempt(client, accounts[12].username, PASSWORD, HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert "Too many failed sign-ins from your network" in refused.content.decode()


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "client"),
    [
        (0, "203.0.113.7", "1.2.3.4", "203.0.113.7"),  # no proxy: the header is the client's own words
        (1, "10.0.0.2", "1.2.3.4, 198.51.100.5", "198.51.100.5"),  # the entry our proxy appended
        (1, "10.0.0.2", "", "10.0.0.2"),  # not through the proxy
        (2, "10.0.0.2", "1.2.3.4, 198.51.100.5, 10.0.0.9", "198.51.100.5"),
        (2, "10.0.0.2", "198.51.100.5", "10.0.0.2"),  # fewer hops than proxies: not through them
    ],
)
def test_the_client_address_is_the_one_the_trusted_proxy_saw(rf, settings, proxies, remote, forwarded, client):
    settings.TRUSTED_PROXIES = proxies
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == client


def test_the_anonymous_api_rate_can_not_be_dodged_with_forwarded_for(client, settings):
    settings.TRUSTED_PROXIES = 0
    settings.API_ANONYMOUS_RATE = "3/min"
    codes = [client.get("/api/v1/organisations/", HTTP_X_FORWARDED_FOR=f"10.0.{n}.1").status_code for n in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]


def test_behind_one_proxy_each_client_has_its_own_count(client, settings):
    settings.TRUSTED_PROXIES = 1
    settings.API_ANONYMOUS_RATE = "2/min"
    first = [
        client.get("/api/v1/organisations/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1")
        for _ in range(3)
    ]
    other = client.get("/api/v1/organisations/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert [r.status_code for r in first] == [200, 200, 429] and other.status_code == 200
