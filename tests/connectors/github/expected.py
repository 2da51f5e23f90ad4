"""What the corpus records say, computed here independently of the connector: a pull request's
times, and the Haystack pull request and deployment series over them."""

import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from tests.connectors.github.fake_github import corpus_list, corpus_pulls, corpus_runs


def instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


@dataclass(frozen=True)
class PullTimes:
    created: datetime
    merged: datetime | None
    closed: datetime | None
    first_review: datetime | None
    first_commit: datetime | None


def pull_times() -> dict[int, PullTimes]:
    result = {}
    for pull in corpus_pulls():
        author = pull["user"]["login"]
        reviews = [
            instant(r["submitted_at"]) for r in corpus_list(pull["number"], "reviews")
            if r.get("submitted_at") and r["user"] and r["user"]["login"] != author
            and not r["user"]["login"].endswith("[bot]") and r["user"].get("type") != "Bot"
        ]  # fmt: skip
        commits = [instant(c["commit"]["author"]["date"]) for c in corpus_list(pull["number"], "commits")]
        result[pull["number"]] = PullTimes(
            created=instant(pull["created_at"]), merged=instant(pull["merged_at"]), closed=instant(pull["closed_at"]),
            first_review=min(reviews, default=None), first_commit=min(commits, default=None),
        )  # fmt: skip
    return result


def mondays(start: date, end: date) -> list[date]:
    first = start - timedelta(days=start.weekday())
    return [first + timedelta(weeks=i) for i in range((end - first).days // 7 + 1)]


def _week(at: datetime) -> date:
    day = at.date()
    return day - timedelta(days=day.weekday())


def _hours(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 3600


def weekly_pull_request_series(start: date, end: date) -> dict[str, list]:
    """pullRequest.count / mergedCount / cycleTime / reviewTime / pickupTime per Monday week."""
    weeks = mondays(start, end)
    inside = lambda at: at is not None and start <= at.date() <= end  # noqa: E731
    buckets = {measure: {week: [] for week in weeks} for measure in ("count", "merged", "cycle", "review", "pickup")}
    for times in pull_times().values():
        if inside(times.created):
            buckets["count"][_week(times.created)].append(1)
        if inside(times.merged):
            buckets["merged"][_week(times.merged)].append(1)
            began = times.first_commit or times.created
            if times.merged >= began:
                buckets["cycle"][_week(times.merged)].append(_hours(began, times.merged))
            if times.merged >= times.created:
                buckets["review"][_week(times.merged)].append(_hours(times.created, times.merged))
        if inside(times.first_review) and times.first_review >= times.created:
            buckets["pickup"][_week(times.first_review)].append(_hours(times.created, times.first_review))
    mean = lambda values: round(statistics.fmean(values), 2) if values else None  # noqa: E731
    return {
        "pullRequest.count": [len(buckets["count"][w]) for w in weeks],
        "pullRequest.mergedCount": [len(buckets["merged"][w]) for w in weeks],
        "pullRequest.cycleTime": [mean(buckets["cycle"][w]) for w in weeks],
        "pullRequest.reviewTime": [mean(buckets["review"][w]) for w in weeks],
        "pullRequest.pickupTime": [mean(buckets["pickup"][w]) for w in weeks],
    }


@dataclass(frozen=True)
class RunDeployment:
    run_id: int
    deployed: datetime
    success: bool
    sha: str
    commit_times: tuple[datetime, ...]


def run_deployments(*, branch: str) -> list[RunDeployment]:
    """Finished runs of any workflow on `branch` not triggered by a pull request, in time order;
    each ships its head commit unless the previous successful one had the same head."""
    runs = [
        run for run in corpus_runs()
        if run["head_branch"] == branch and not run["event"].startswith("pull_request")
        and (run["conclusion"] or "").lower() in ("success", "failure", "timed_out", "startup_failure")
    ]  # fmt: skip
    runs.sort(key=lambda run: (instant(run["updated_at"]), run["id"]))
    result, previous_sha = [], None
    for run in runs:
        success = run["conclusion"].lower() == "success"
        shipped = () if previous_sha == run["head_sha"] else (instant(run["head_commit"]["timestamp"]),)
        result.append(RunDeployment(run["id"], instant(run["updated_at"]), success, run["head_sha"], shipped))
        if success:
            previous_sha = run["head_sha"]
    return result
