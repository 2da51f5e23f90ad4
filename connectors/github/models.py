"""A GitHub (or GitHub Enterprise Server) account connected to an organization."""

import re

from django.core.exceptions import ValidationError
from django.db import models

from connectors.crypto import EncryptedTextField
from connectors.models import ConnectionBase

DEFAULT_API_URL = "https://api.github.com"
REPOSITORY_PATTERN = re.compile(r"^[A-Za-z0-9_.-]+/([A-Za-z0-9_.-]+|\*)$")


class GitHubConnection(ConnectionBase):
    """Repositories of one GitHub site read with a personal access token (fine-grained or classic,
    encrypted at rest, never shown again): their pull requests with reviews and commits, their
    deployments (from GitHub Deployments or from Actions workflow runs, a team's choice) and, when
    chosen, their issues as tickets."""

    class DeploymentSource(models.TextChoices):
        NONE = "none", "No deployments"
        DEPLOYMENTS = "deployments", "GitHub Deployments and their statuses"
        WORKFLOW_RUNS = "workflow_runs", "Actions workflow runs whose workflow name matches a pattern"

    api_url = models.URLField(
        default=DEFAULT_API_URL,
        help_text="https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server.",
    )
    token = EncryptedTextField(blank=True, help_text="Personal access token (fine-grained or classic).")
    repositories = models.TextField(
        help_text="One per line or comma-separated: `owner/name`, or `owner/*` for every repository of an owner."
    )
    deployment_source = models.CharField(
        max_length=16, choices=DeploymentSource.choices, default=DeploymentSource.WORKFLOW_RUNS
    )
    deployment_workflow_pattern = models.CharField(
        max_length=200, blank=True, default="deploy*",
        help_text="Workflow runs: a shell-style pattern of the workflow names that deploy (any case), e.g. `deploy*`.",
    )  # fmt: skip
    deployment_branches = models.CharField(
        max_length=500, blank=True, default="main, master",
        help_text="Workflow runs: comma-separated branches whose runs deploy (empty: every branch).",
    )  # fmt: skip
    deployment_environment = models.CharField(
        max_length=100, default="production", help_text="Workflow runs: the environment their deployments go to."
    )
    issues_as_tickets = models.BooleanField(default=False, help_text="Import GitHub issues as tickets.")
    ticket_project_key = models.CharField(
        max_length=50, blank=True, help_text="Issues as tickets: the project key (default: the repository's name)."
    )
    in_progress_label = models.CharField(
        max_length=100, blank=True, help_text="Issues as tickets: an open issue with this label is in progress."
    )

    class Meta(ConnectionBase.Meta):
        verbose_name = "GitHub connection"

    def clean(self) -> None:
        super().clean()
        bad = [name for name in self.repository_names() if not REPOSITORY_PATTERN.match(name)]
        if bad or not self.repository_names():
            raise ValidationError({"repositories": f"Give repositories as owner/name or owner/*: {', '.join(bad)}"})

    def repository_names(self) -> list[str]:
        return [value.strip() for value in re.split(r"[,\s]+", self.repositories or "") if value.strip()]

    def branches(self) -> list[str]:
        return [value.strip() for value in self.deployment_branches.split(",") if value.strip()]
