"""Ticketing instance keys: `?key=<key>` (the Ticketing document's way) or `Authorization: Bearer
<key>`. A key is valid for one instance (a help-desk project) only: `request.auth` is the
`InstanceApiKey` and its project is the instance every request is confined to.

A verified instance key is remembered in the process for API_KEY_CACHE_SECONDS, as the user API
keys are (accounts.authentication.VerifiedKeyCache; docs/performance.md, "Request overhead"): by
the SHA-256 of the whole key, only after the lookup and hash check succeeded, so a wrong secret
never matches; the entry holds the key row with its project and organization, and expiry and the
read-only flag are read from it on every request. Saving or deleting an instance key, a project or
an organization, and revoking keys through tickets.services.instance_keys (a bulk update, which
announces itself with `tickets.signals.instance_keys_revoked`), empty this process's cache; other
processes see it within the TTL at the latest."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions

from accounts.authentication import VerifiedKeyCache, bearer_token, touch_last_used
from accounts.models import Organization
from tickets.models import InstanceApiKey, Project
from tickets.signals import instance_keys_revoked

KEY_QUERY_PARAMETER = "key"
MAX_KEY_LENGTH = 200

verified_instance_keys = VerifiedKeyCache(InstanceApiKey)

# Connected here, with the cache: a process that never loaded this module has nothing to forget.
verified_instance_keys.clear_on_changes(InstanceApiKey, Project, Organization)
instance_keys_revoked.connect(
    verified_instance_keys.clear, sender=InstanceApiKey, dispatch_uid="verified-instance-keys-revoked"
)


def verified_instance_key(raw_key: str) -> InstanceApiKey:
    """The usable (not revoked) instance key for `raw_key`, its project and organization loaded,
    from the process's cache or verified against the database; raises InstanceApiKey.DoesNotExist."""
    return verified_instance_keys.verify(raw_key)


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
            key = verified_instance_key(raw_key)
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
