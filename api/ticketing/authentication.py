"""Ticketing instance keys: `?key=<key>` (the Ticketing document's way) or `Authorization: Bearer
<key>`. A key is valid for one instance (a help-desk project) only: `request.auth` is the
`InstanceApiKey` and its project is the instance every request is confined to."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions

from accounts.authentication import bearer_token, touch_last_used
from tickets.models import InstanceApiKey

KEY_QUERY_PARAMETER = "key"
MAX_KEY_LENGTH = 200


class InstanceKeyAuthentication(authentication.BaseAuthentication):
    """Resolves a primary or secondary instance key to `(None, key)`. Unknown, wrong, revoked and
    expired keys are 401s, answered alike; a request without a key is a 401 too. `?key=` wins when
    both ways are used."""

    keyword = "Bearer"

    def authenticate(self, request):
        raw_key = request.query_params.get(KEY_QUERY_PARAMETER) or bearer_token(request)
        if not raw_key:
            return None
        if "\x00" in raw_key or len(raw_key) > MAX_KEY_LENGTH:  # cannot be a key (and NUL breaks PostgreSQL)
            raise exceptions.AuthenticationFailed("Invalid instance key.")
        try:
            key = InstanceApiKey.objects.get_from_key(raw_key)
        except InstanceApiKey.DoesNotExist:
            raise exceptions.AuthenticationFailed("Invalid instance key.") from None
        if key.has_expired:
            raise exceptions.AuthenticationFailed("This instance key has expired.")
        touch_last_used(InstanceApiKey, key)
        return None, key

    def authenticate_header(self, request):
        return self.keyword


class InstanceKeyPermission(permissions.BasePermission):
    """An instance key is required; the secondary (read-only) key cannot write (403)."""

    message = "A ticketing instance key is required."

    def has_permission(self, request, view) -> bool:
        key = request.auth
        if not isinstance(key, InstanceApiKey):
            return False
        if key.read_only and request.method not in permissions.SAFE_METHODS:
            self.message = "This is the instance's secondary (read-only) key: writes need the primary key."
            return False
        return True


class InstanceKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    """Two alternative schemes: the `key` query parameter, or the same key as a bearer token."""

    target_class = "api.ticketing.authentication.InstanceKeyAuthentication"
    name = ["TicketingInstanceKey", "TicketingInstanceBearer"]

    def get_security_requirement(self, auto_schema):
        return [{name: []} for name in self.name]

    def get_security_definition(self, auto_schema):
        return [
            {
                "type": "apiKey",
                "in": "query",
                "name": KEY_QUERY_PARAMETER,
                "description": "The instance's primary (read/write) or secondary (read-only) key.",
            },
            {
                "type": "http",
                "scheme": "bearer",
                "description": "The same instance key as `Authorization: Bearer <key>`.",
            },
        ]
