"""What every registry service shares: validated saves and the identifiers we mint."""

from __future__ import annotations

import random
import secrets
from typing import TypeVar

from django.db.models import Model

M = TypeVar("M", bound=Model)

LOCAL_ID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U to misread
LOCAL_ID_LENGTH = 8


def validated_save(instance: M) -> M:
    """Run the model's rules and constraints (messages naming the field), then write."""
    instance.full_clean()
    instance.save()
    return instance


def new_local_id(rng: random.Random | None = None) -> str:
    if rng is None:
        return "".join(secrets.choice(LOCAL_ID_ALPHABET) for _ in range(LOCAL_ID_LENGTH))
    return "".join(rng.choice(LOCAL_ID_ALPHABET) for _ in range(LOCAL_ID_LENGTH))
