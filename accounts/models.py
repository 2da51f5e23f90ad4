"""Tenants, teams, people and API callers."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from rest_framework_api_key.models import AbstractAPIKey, BaseAPIKeyManager

from common.references import ReferencedModel

METRICS_API_PERMISSION = "accounts.use_metrics_api"
MANAGE_USER_PERMISSIONS_PERMISSION = "accounts.manage_user_permissions"


class Organization(models.Model):
    """The tenant. Every other row belongs to exactly one organization."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    backflow_counts_intra_lane_changes = models.BooleanField(
        default=True,
        help_text="Count status changes within one lane as transitions (the denominator of backflow rate).",
    )
    sprint_excluded_work_types = models.JSONField(
        default=list, blank=True, help_text="Work types reported as 'excluded' in sprint analytics."
    )
    metrics_computed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the per-ticket metrics were last rebuilt in full."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug", "id"]
        permissions = []

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """A team. `path` holds the ids from the root team down to this one, joined by dots
    ("11188.99591.52870", as in the Flow Teams API), so "this team and every nested team" is one
    indexed prefix query."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    path = models.CharField(max_length=1000, db_index=False, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["path", "id"]
        indexes = [models.Index(fields=["organization", "path"], name="team_org_path")]

    def __str__(self) -> str:
        return self.name

    def subtree_prefix(self) -> str:
        return f"{self.path}."


class Person(ReferencedModel):
    """A contributor (Flow's "apex user"): resolves commits, tickets and help-desk messages from
    every tool to one identity through aliases."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="people")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    slack_id = models.CharField(max_length=64, blank=True)
    hidden_from_reports = models.BooleanField(default=False)
    needs_review = models.BooleanField(
        default=False, help_text="Created automatically for an unknown author; merge or confirm it."
    )
    teams = models.ManyToManyField(Team, through="TeamMembership", related_name="members", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "people"
        indexes = [models.Index(fields=["organization", "email"], name="person_org_email")]

    def __str__(self) -> str:
        return self.name


class PersonAlias(models.Model):
    """Another email or login that resolves to the same person (stored lower-cased)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="aliases")
    value = models.CharField(max_length=254)

    class Meta:
        ordering = ["value", "id"]
        verbose_name_plural = "person aliases"
        constraints = [models.UniqueConstraint(fields=["organization", "value"], name="person_alias_unique_org_value")]

    def __str__(self) -> str:
        return self.value


class TeamMembership(models.Model):
    """A person's membership of a team."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")

    class Meta:
        ordering = ["team_id", "person_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "team", "person"], name="team_membership_unique")
        ]
        indexes = [models.Index(fields=["organization", "person"], name="team_membership_org_person")]


class User(AbstractUser):
    """An API caller or staff member. Roles are Django groups; "Metrics API" and "Manage User
    Permissions" are permissions granted through them."""

    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="users"
    )
    person = models.OneToOneField(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="user")

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        permissions = [
            ("use_metrics_api", "Metrics API"),
            ("manage_user_permissions", "Manage User Permissions"),
        ]


class ApiKeyManager(BaseAPIKeyManager):
    def get_usable_keys(self):
        return self.filter(revoked=False).select_related("user", "organization")


class ApiKey(AbstractAPIKey):
    """An API key: belongs to one user and one organization, stored hashed (sha512 by
    djangorestframework-api-key) with a visible prefix. It works only while its user holds the
    permission the route needs."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_keys")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="api_keys")
    read_only = models.BooleanField(default=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiKeyManager()

    def clean(self) -> None:
        super().clean()
        if self.user_id and self.organization_id and self.user.organization_id not in (None, self.organization_id):
            raise ValidationError({"user": "This user belongs to another organization."})

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "API key"
        verbose_name_plural = "API keys"
        ordering = ["-created", "id"]
