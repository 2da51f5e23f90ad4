"""`Authorization: Bearer <key>` authentication for the Flow, Haystack and Nephthys surfaces."""

from datetime import timedelta

from django.conf import settings
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


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """Resolves the key to (user, key). Missing, unknown, revoked or expired keys, and keys of
    inactive users, are 401s; an unknown key and a wrong secret answer alike."""

    keyword = "Bearer"

    def authenticate(self, request):
        raw_key = bearer_token(request)
        if raw_key is None:
            return None
        try:
            key = ApiKey.objects.get_from_key(raw_key)
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
