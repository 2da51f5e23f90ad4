"""Secrets encrypted at rest with Fernet keys from the settings."""

import pytest
from cryptography.fernet import Fernet

from connectors.crypto import SecretUnreadable, decrypt, encrypt


def test_round_trip_and_no_plaintext():
    stored = encrypt("my-api-token")
    assert "my-api-token" not in stored
    assert stored.startswith("fernet:")
    assert decrypt(stored) == "my-api-token"
    assert encrypt("my-api-token") != stored  # a fresh IV each time


def test_key_rotation(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.CONNECTORS_ENCRYPTION_KEY = old
    stored = encrypt("token")
    settings.CONNECTORS_ENCRYPTION_KEY = f"{new},{old}"
    assert decrypt(stored) == "token"
    settings.CONNECTORS_ENCRYPTION_KEY = new
    with pytest.raises(SecretUnreadable, match="enter it again"):
        decrypt(stored)
