"""Encryption at rest for connection secrets (API tokens, webhook secrets): Fernet (AES-128-CBC
with HMAC-SHA256) from `cryptography`.

The key comes from the `CONNECTORS_ENCRYPTION_KEY` setting: one or more Fernet keys separated by
commas, the first used to encrypt and all tried to decrypt (rotate by putting a new key first).
Without it a key is derived from SECRET_KEY, which is for development only: set the setting in
production (docs/connectors-jira.md says how to make a key)."""

import base64
import hashlib
import logging

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models

logger = logging.getLogger(__name__)

PREFIX = "fernet:"


def _keys() -> list[bytes]:
    configured = getattr(settings, "CONNECTORS_ENCRYPTION_KEY", "") or ""
    keys = [key.strip().encode() for key in configured.split(",") if key.strip()]
    if keys:
        return keys
    digest = hashlib.sha256(b"tally.connectors:" + settings.SECRET_KEY.encode()).digest()
    return [base64.urlsafe_b64encode(digest)]


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in _keys()])


def encrypt(plaintext: str) -> str:
    """The stored form of a secret: a prefix and the Fernet token."""
    return PREFIX + _fernet().encrypt(plaintext.encode()).decode()


class SecretUnreadable(ValueError):
    """A stored secret the configured keys cannot decrypt (the key was changed)."""


def decrypt(stored: str) -> str:
    if not stored.startswith(PREFIX):
        raise SecretUnreadable("not an encrypted value")
    try:
        return _fernet().decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken:
        raise SecretUnreadable(
            "the stored secret cannot be decrypted with CONNECTORS_ENCRYPTION_KEY: enter it again"
        ) from None


class EncryptedTextField(models.TextField):
    """A text column holding a secret encrypted at rest. Python sees the plaintext; the column holds
    only `fernet:<token>`. A value the current keys cannot decrypt reads as "" (and is logged,
    without the value), so a changed key shows up as a failed connection test, not a crash."""

    def from_db_value(self, value, expression, connection):
        if not value:
            return ""
        try:
            return decrypt(value)
        except SecretUnreadable as error:
            logger.warning("%s.%s: %s", self.model.__name__, self.name, error)
            return ""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return ""
        return encrypt(value)
