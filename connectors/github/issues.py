"""GitHub issues as tickets (when the connection says so): issues updated since the last run
(`since`, newest first, the first page asked with `If-None-Match`), each with its events and
comments, written through the bundle import (the mapping is in `tickets_bundle`). GitHub lists
pull requests among issues; those are skipped here."""

from connectors.github.tickets_bundle import IssueRecord
from connectors.github.writer import Batch


def issues_sync(*, sync, repository: str) -> None:
    state = sync.state(repository)
    since = None if sync.full else state.get("issues_updated")
    etag = "" if sync.full else state.get("issues_etag", "")
    params = {"state": "all", "sort": "updated", "direction": "desc"}
    if since:
        params["since"] = since
    newest, first_etag = since, None
    for page in sync.client.pages(f"/repos/{repository}/issues", params=params, etag=etag):
        if first_etag is None:
            first_etag = page.etag
        if page.items is None:
            break
        batch = Batch(
            repository=repository, html_url=f"https://github.com/{repository}",
            ticket_project_key=sync.connection.ticket_project_key, in_progress_label=sync.connection.in_progress_label,
        )  # fmt: skip
        for issue in page.items:
            newest = max(newest or "", issue["updated_at"])
            if "pull_request" in issue:
                continue
            number = issue["number"]
            batch.issues.append(
                IssueRecord(
                    issue=issue,
                    events=sync.client.items(f"/repos/{repository}/issues/{number}/events"),
                    comments=sync.client.items(f"/repos/{repository}/issues/{number}/comments"),
                )
            )
        sync.summary.add("issues read", len(batch.issues))
        sync.write(batch)
        sync.progress(f"{repository}: {sync.summary.counts.get('issues read', 0)} issues read and written")
    state["issues_updated"] = newest
    state["issues_etag"] = first_etag or etag
