"""A Jira site connected to an organization."""

from django.core.exceptions import ValidationError
from django.db import models

from connectors.crypto import EncryptedTextField
from connectors.models import ConnectionBase

DEFAULT_CANCEL_RESOLUTIONS = ["Won't Do", "Won't Fix", "Duplicate", "Cannot Reproduce", "Declined"]
STORY_POINTS_FIELD_NAMES = ("Story Points", "Story point estimate")


def default_cancel_resolutions() -> list[str]:
    return list(DEFAULT_CANCEL_RESOLUTIONS)


class JiraConnection(ConnectionBase):
    """A Jira Cloud site (e-mail + API token, HTTP Basic) or a Jira Data Center site (personal
    access token, Bearer), and what to read from it: the issues of a JQL filter or of some projects,
    and the sprints of some boards. The token is encrypted at rest and never shown again."""

    class Flavour(models.TextChoices):
        CLOUD = "cloud", "Jira Cloud (e-mail + API token)"
        DATA_CENTER = "datacenter", "Jira Data Center (personal access token)"

    flavour = models.CharField(max_length=12, choices=Flavour.choices, default=Flavour.CLOUD)
    site_url = models.URLField(help_text="https://your-site.atlassian.net, or your Data Center base URL.")
    email = models.EmailField(blank=True, help_text="Jira Cloud: the e-mail of the account the API token belongs to.")
    token = EncryptedTextField(blank=True, help_text="API token (Cloud) or personal access token (Data Center).")
    jql = models.TextField(blank=True, help_text="Which issues to read, e.g. `project in (EE, K5)`. Overrides keys.")
    project_keys = models.CharField(
        max_length=500, blank=True, help_text="Comma-separated project keys; used when the JQL is empty."
    )
    board_ids = models.CharField(
        max_length=200, blank=True, help_text="Comma-separated board ids whose sprints to read."
    )
    story_points_field = models.CharField(
        max_length=64, blank=True, help_text="Custom field id of story points; empty: found by name through /field."
    )
    cancel_resolutions = models.JSONField(
        default=default_cancel_resolutions, blank=True,
        help_text="Resolution names that make a done ticket cancelled (not completed, not in velocity).",
    )  # fmt: skip
    overlap_minutes = models.PositiveIntegerField(
        default=10, help_text="An incremental run re-reads issues updated this long before the last cursor."
    )

    class Meta(ConnectionBase.Meta):
        verbose_name = "Jira connection"

    def clean(self) -> None:
        super().clean()
        if self.flavour == self.Flavour.CLOUD and not self.email:
            raise ValidationError({"email": "Jira Cloud needs the e-mail of the token's account."})
        if not self.jql.strip() and not self.project_keys.strip():
            raise ValidationError({"jql": "Give a JQL filter or project keys."})
        try:
            self.boards()
        except ValueError:
            raise ValidationError({"board_ids": "Board ids are numbers separated by commas."}) from None

    def boards(self) -> list[int]:
        return [int(value) for value in self.board_ids.replace(" ", "").split(",") if value]

    def scope_jql(self) -> str:
        """The JQL of the issues to read (without the incremental condition or ordering)."""
        if self.jql.strip():
            return self.jql.strip()
        keys = [key.strip() for key in self.project_keys.split(",") if key.strip()]
        return "project in ({})".format(", ".join(f'"{key}"' for key in keys))

    def cancelling(self) -> frozenset[str]:
        return frozenset(name.strip().casefold() for name in self.cancel_resolutions or [] if name.strip())
