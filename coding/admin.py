from django.contrib import admin

from coding.models import Commit, Deployment, PullRequest, Repository, RepositoryTag
from common.admin import OrganizationScopedAdmin


@admin.register(RepositoryTag)
class RepositoryTagAdmin(OrganizationScopedAdmin):
    list_display = ["id", "name"]


@admin.register(Repository)
class RepositoryAdmin(OrganizationScopedAdmin):
    list_display = ["id", "name", "url", "last_imported_sha"]
    search_fields = ["name"]
    readonly_fields = ["last_imported_sha", "imported_heads"]


@admin.register(Commit)
class CommitAdmin(OrganizationScopedAdmin):
    list_display = ["sha", "repository", "author", "authored_at", "additions", "deletions", "is_merge"]
    list_select_related = ["repository", "author"]
    raw_id_fields = ["author"]
    search_fields = ["sha", "author_email"]


@admin.register(PullRequest)
class PullRequestAdmin(OrganizationScopedAdmin):
    list_display = ["number", "repository", "author", "created_at", "merged_at"]
    list_select_related = ["repository", "author"]
    raw_id_fields = ["author"]


@admin.register(Deployment)
class DeploymentAdmin(OrganizationScopedAdmin):
    list_display = ["id", "repository", "environment", "deployed_at", "status", "caused_incident"]
    list_select_related = ["repository"]
