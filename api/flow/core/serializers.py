"""Response shapes of the Flow Teams and Users lookups, with the fields of the document's
examples. Fields Tally has no source for are null, never invented."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


class _Null(serializers.Field):
    """A documented field that Tally has no source for: always null."""

    def __init__(self, **kwargs):
        kwargs.update(read_only=True, allow_null=True, default=None)
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return None

    def to_representation(self, value):
        return None


@extend_schema_field({"type": "string", "nullable": True, "description": "No source in Tally: always null."})
class NullString(_Null):
    pass


@extend_schema_field({"type": "integer", "nullable": True, "description": "No source in Tally: always null."})
class NullInteger(_Null):
    pass


@extend_schema_field({"type": "boolean", "nullable": True, "description": "No source in Tally: always null."})
class NullBoolean(_Null):
    pass


@extend_schema_field(
    {"type": "object", "nullable": True, "additionalProperties": True, "description": "No source in Tally: null."}
)
class NullObject(_Null):
    pass


class TeamSerializer(serializers.Serializer):
    """A team as the Users lookup nests it."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    org = serializers.IntegerField(source="organization_id")
    avatar = NullString()
    vendor = NullString()
    created_at = serializers.DateTimeField()
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
    path = serializers.CharField(help_text="Ids from the root team down to this one, joined by dots.")
    visibility = NullString()
    inherited_depth = NullString()
    nested_teams = serializers.IntegerField(help_text="Teams below this one, at any depth.")
    all_users = serializers.IntegerField(help_text="Distinct members of this team and of every team below.")
    unnested_users = serializers.IntegerField(help_text="Direct members of this team.")
    depth = NullString(help_text="Flow's depth setting; no source in Tally: always null.")


class TeamDetailSerializer(TeamSerializer):
    """A row of the Teams lookup: also the names along its path and its level (1 for a root)."""

    ancestors = serializers.SerializerMethodField(help_text="Team names from the root down to this team.")
    team_level = serializers.SerializerMethodField(help_text="1 for a root team, 2 for its children, ...")

    class Meta:
        fields_order = [
            "id", "name", "description", "org", "avatar", "vendor", "created_at", "parent", "path", "ancestors",
            "visibility", "team_level", "inherited_depth", "nested_teams", "all_users", "unnested_users", "depth",
        ]  # fmt: skip

    def to_representation(self, instance):
        data = super().to_representation(instance)
        return {name: data[name] for name in self.Meta.fields_order}

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_ancestors(self, team) -> list[str]:
        names = self.context.get("team_names", {})
        return [names.get(int(part), "") for part in team.path.split(".") if part.isdigit()]

    @extend_schema_field(serializers.IntegerField())
    def get_team_level(self, team) -> int:
        return team.depth + 1


class UserSerializer(serializers.Serializer):
    """A row of the Users lookup (an apex user is a Tally person)."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.CharField()
    hidden_from_reports = serializers.BooleanField()
    org_id = serializers.IntegerField(source="organization_id")
    created_at = serializers.DateTimeField()
    teams = TeamSerializer(many=True)
    has_login = serializers.SerializerMethodField(help_text="Whether a Tally login user is linked to this person.")
    pending_invitation = NullBoolean()
    alias_count = serializers.IntegerField(help_text="Emails and logins that resolve to this person.")
    last_activity_at = serializers.DateTimeField(allow_null=True, help_text="Author time of the last commit.")
    first_activity_at = serializers.DateTimeField(allow_null=True, help_text="Author time of the first commit.")
    avatar_url = NullString()
    avatar_exists = NullBoolean()
    invitation_id = NullInteger()
    login_enabled = serializers.SerializerMethodField(
        help_text="Whether the linked login user is active; null without one."
    )
    is_saml = NullBoolean()
    is_group_member = NullBoolean()
    hidden = serializers.BooleanField(source="hidden_from_reports", help_text="Same as hidden_from_reports.")
    hidden_by = NullInteger()
    hidden_at = NullString()
    login = NullObject()

    @staticmethod
    def _user(person):
        return getattr(person, "user", None)  # the reverse one-to-one raises an AttributeError when absent

    @extend_schema_field(serializers.BooleanField())
    def get_has_login(self, person) -> bool:
        return self._user(person) is not None

    @extend_schema_field(serializers.BooleanField(allow_null=True))
    def get_login_enabled(self, person) -> bool | None:
        user = self._user(person)
        return None if user is None else user.is_active
