"""`Authorization: Bearer <key>` authentication for the Flow, Haystack and Nephthys surfaces.

A verified key is remembered in the process for API_KEY_CACHE_SECONDS (docs/performance.md,
"Request overhead"): the entry is found by the SHA-256 of the whole key as sent, and is made only
after the key was looked up and its hash checked, so a wrong or unknown key never matches one. A
remembered entry holds the key row and its user (whose permissions Django caches on the user
object): within the TTL, a request needs no query. Expiry is checked on every request. Any save or
delete of an API key, user, group or organization, and any change of a user's groups or
permissions or a group's permissions, empties the cache of the process that made it (signals,
accounts.apps); other processes see revocation, deactivation or a removed role within the TTL at
the latest. API_KEY_CACHE_SECONDS = 0 turns the cache off (every request verifies)."""

import hashlib
import threading
import time
from datetime import timedelta

from cachetools import TTLCache
from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from accounts.models import ApiKey


def bearer_token(request) -> str | None:
    """The key of an `Authorization: Bearer <key>` header, or None when there is no such header."""
    header = authentication.get_authorization_header(request).split()
    if not header or header[0].lower() != b"bearer":
        return None
    if len(header) != 2:
        raise exceptions.AuthenticationFailed("Invalid Authorization header: expected 'Bearer <API key>'.")
    try:
        key = header[1].decode()
    except UnicodeError:
        raise exceptions.AuthenticationFailed("Invalid API key.") from None
    if "\x00" in key:  # PostgreSQL cannot compare text with NUL bytes; no key contains one
        raise exceptions.AuthenticationFailed("Invalid API key.")
    return key


def touch_last_used(key_model, key) -> None:
    """Record the key's last use, at most once per API_KEY_LAST_USED_RESOLUTION_SECONDS."""
    now = timezone.now()
    resolution = timedelta(seconds=settings.API_KEY_LAST_USED_RESOLUTION_SECONDS)
    if key.last_used_at is None or now - key.last_used_at >= resolution:
        key_model.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now


class VerifiedKeyCache:
    """Keys of one model (a djangorestframework-api-key `AbstractAPIKey`) verified recently, by the
    SHA-256 of the whole key; thread-safe, per process, for API_KEY_CACHE_SECONDS. Shared by the
    user API keys (`verified_keys`, below) and the Ticketing instance keys
    (api.ticketing.authentication): each owner connects `clear` to the signals of whatever could
    revoke its keys."""

    def __init__(self, model, maxsize: int = 4096, timer=time.monotonic):
        self.model = model
        self._maxsize = maxsize
        self.timer = timer
        self._lock = threading.Lock()
        self._entries: TTLCache | None = None
        self._ttl: float | None = None

    def _cache(self) -> TTLCache | None:
        ttl = settings.API_KEY_CACHE_SECONDS
        if ttl <= 0:
            return None
        if self._entries is None or self._ttl != ttl:  # first use, or the setting changed (tests)
            self._entries, self._ttl = TTLCache(self._maxsize, ttl, timer=lambda: self.timer()), ttl
        return self._entries

    @staticmethod
    def digest(raw_key: str) -> str:
        return hashlib.sha256(raw_key.encode()).hexdigest()

    def get(self, raw_key: str):
        with self._lock:
            cache = self._cache()
            return None if cache is None else cache.get(self.digest(raw_key))

    def put(self, raw_key: str, key) -> None:
        with self._lock:
            cache = self._cache()
            if cache is not None:
                cache[self.digest(raw_key)] = key

    def verify(self, raw_key: str):
        """The usable (not revoked) key row for `raw_key` (with what the model's manager's
        `get_usable_keys` loads), from the cache or verified against the database (lookup by
        prefix and hash check) and then remembered; raises `model.DoesNotExist`. Expiry is the
        caller's to check, on every request."""
        key = self.get(raw_key)
        if key is None:
            key = self.model.objects.get_from_key(raw_key)
            self.put(raw_key, key)
        return key

    def clear(self, using: str | None = None, **kwargs) -> None:
        """Forget every entry, now and again when the current transaction commits, so a request of
        another thread of this process that reads the row before the commit cannot keep it
        remembered (also a signal receiver: `using` is the signal's database alias)."""
        self._empty()
        if transaction.get_connection(using).in_atomic_block:
            transaction.on_commit(self._empty, using=using)

    def clear_on_changes(self, *models) -> None:
        """Connect `clear` to the saves and deletes of `models`: whatever could revoke a key."""
        for model in models:
            uid = f"verified-keys-{self.model.__name__}-{model.__name__}"
            post_save.connect(self.clear, sender=model, dispatch_uid=f"{uid}-save")
            post_delete.connect(self.clear, sender=model, dispatch_uid=f"{uid}-delete")

    def _empty(self) -> None:
        with self._lock:
            if self._entries is not None:
                self._entries.clear()


verified_keys = VerifiedKeyCache(ApiKey)


def verified_api_key(raw_key: str) -> ApiKey:
    """The usable (not revoked) key row for `raw_key`, its user and organization loaded, from the
    process's cache or verified against the database; raises ApiKey.DoesNotExist."""
    return verified_keys.verify(raw_key)


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """Resolves the key to (user, key). Missing, unknown, revoked or expired keys, and keys of
    inactive users, are 401s; an unknown key and a wrong secret answer alike."""

    keyword = "Bearer"

    def authenticate(self, request):
        raw_key = bearer_token(request)
        if raw_key is None:
            return None
        try:
            key = verified_api_key(raw_key)
        except ApiKey.DoesNotExist:
            raise exceptions.AuthenticationFailed("Invalid API key.") from None
        if key.has_expired:
            raise exceptions.AuthenticationFailed("API key has expired.")
        if not key.user.is_active:
            raise exceptions.AuthenticationFailed("The API key's user is inactive.")
        touch_last_used(ApiKey, key)
        return key.user, key

    def authenticate_header(self, request):
        return self.keyword


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.ApiKeyAuthentication"
    name = "BearerAuth"

    def get_security_definition(self, auto_schema):
        # An apiKey scheme on the Authorization header, so the value is sent as typed: the Flow
        # document tells users to put `Bearer <API key>` in the field, Bearer included.
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Put `Bearer <API key>` in the value field. You must include Bearer.",
        }
