"""Deployments of a repository from the connection's chosen source:

- **workflow runs**: Actions runs whose workflow name matches the pattern, on the given branches,
  concluded (see `mapping.run_deploys`); deployed at the run's completion (`updated_at`) to the
  connection's environment;
- **GitHub Deployments**: each deployment's environment, and its latest final status
  (`success`, or `failure` / `error`) at that status's time.

The commits a deployment shipped are the range since the previous successful deployment of that
environment (GitHub's compare endpoint); the first deployment, or one whose range GitHub cannot
compare, ships its head commit; a re-deployment of the same commit ships nothing new.
Runs and deployments are listed newest first; a run re-reads those created within `OVERLAP` of
the previous run's newest, and the first page is asked with `If-None-Match`."""

from collections.abc import Iterator
from datetime import timedelta

from connectors.errors import RemoteNotFound
from connectors.github.mapping import (
    DeploymentFacts,
    commit_facts,
    deployment_outcome,
    iso,
    parse_time,
    run_deployment,
    run_deploys,
)
from connectors.github.models import GitHubConnection
from connectors.github.writer import Batch

OVERLAP = timedelta(days=1)
HEADS_KEPT = 200
COMPARE_LIMIT = 250


def deployment_batches(*, sync, repository: str, html_url: str) -> Iterator[Batch]:
    connection: GitHubConnection = sync.connection
    state = sync.state(repository)
    source = connection.deployment_source
    since = None if sync.full else parse_time(state.get("deployments_created"))
    etag = "" if sync.full else state.get("deployments_etag", "")
    runs = source == GitHubConnection.DeploymentSource.WORKFLOW_RUNS
    path = f"/repos/{repository}/actions/runs" if runs else f"/repos/{repository}/deployments"
    found: list[DeploymentFacts] = []
    newest, first_etag = since, None
    for page in sync.client.pages(path, etag=etag):
        if first_etag is None:
            first_etag = page.etag
        if page.items is None:
            break
        older = False
        for record in page.items:
            created = parse_time(record["created_at"])
            newest = max(newest, created) if newest else created
            if since is not None and created < since - OVERLAP:
                older = True
                continue
            facts = _facts(sync, repository, record, runs=runs)
            if facts is not None:
                found.append(facts)
        if older:
            break
    if found:
        found.sort(key=lambda deployment: (parse_time(deployment.deployed_at), deployment.external_id))
        _ship(sync, repository, state, found)
        sync.summary.add("deployments read", len(found))
        yield Batch(repository=repository, html_url=html_url, deployments=found)
    state["deployments_created"] = iso(newest)
    state["deployments_etag"] = first_etag or etag


def _facts(sync, repository: str, record: dict, *, runs: bool) -> DeploymentFacts | None:
    connection: GitHubConnection = sync.connection
    if runs:
        pattern, branches = connection.deployment_workflow_pattern, connection.branches()
        if not run_deploys(record, pattern=pattern, branches=branches):
            return None
        return run_deployment(record, environment=connection.deployment_environment)
    statuses = sync.client.items(f"/repos/{repository}/deployments/{record['id']}/statuses")
    outcome = deployment_outcome(statuses)
    if outcome is None:
        return None
    status, at = outcome
    sha = str(record.get("sha") or "").lower()
    try:
        head = commit_facts(sync.client.get(f"/repos/{repository}/commits/{sha}"))
    except RemoteNotFound:  # a commit GitHub no longer has (force-pushed away)
        head = None
    return DeploymentFacts(
        external_id=f"deployment:{record['id']}", environment=str(record.get("environment") or "production"),
        deployed_at=at, status=status, head_sha=sha, head=head,
    )  # fmt: skip


def _ship(sync, repository: str, state: dict, deployments: list[DeploymentFacts]) -> None:
    """Fill each deployment's shipped commits, in time order, from the successful heads known
    (the cursor keeps the latest ones per environment, so an overlapping re-read gives the same)."""
    heads: dict[str, list[list[str]]] = state.setdefault("deployment_heads", {})
    for deployment in deployments:
        known = heads.setdefault(deployment.environment, [])
        earlier = [head for head in known if head[0] < deployment.deployed_at and head[2] != deployment.external_id]
        previous = max(earlier, default=None)
        head = [deployment.head] if deployment.head is not None else []
        if previous is None:
            deployment.shipped = head
        elif previous[1] == deployment.head_sha:
            deployment.shipped = []
        else:
            deployment.shipped = _compare(sync, repository, previous[1], deployment.head_sha) or head
        if deployment.status == "success" and [deployment.deployed_at, deployment.head_sha,
                                                 deployment.external_id] not in known:  # fmt: skip
            known.append([deployment.deployed_at, deployment.head_sha, deployment.external_id])
            known.sort()
            del known[:-HEADS_KEPT]


def _compare(sync, repository: str, base: str, head: str) -> list:
    try:
        answer = sync.client.get(f"/repos/{repository}/compare/{base}...{head}")
    except RemoteNotFound:
        return []
    return [commit_facts(record) for record in (answer.get("commits") or [])[-COMPARE_LIMIT:]]
