"""Reads of the Haystack delivery metrics series (docs/haystack-delivery-metrics.md): issues, pull
requests and deployments by week or month, grouped or not.

Each read answers for every bucket and every group at once, in a fixed number of queries (one per
date the type's measures are counted by, plus one for team memberships when grouping by team),
whatever the number of buckets or groups. The database groups rows by (bucket, group) and returns
partial aggregates (counts, sums); `formulas.delivery` turns them into values. Medians
are PERCENTILE_CONT on PostgreSQL, computed in Python from the samples elsewhere. Scope and
grouping: `delivery.scope`, `delivery.groups`; sprints: `metrics.selectors.sprints`.
"""

from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, F, FloatField, Func, Q, Sum, Value
from django.db.models.functions import Coalesce

from coding.models import Deployment, DeploymentCommit, PullRequest
from formulas import delivery as calc
from formulas.delivery import Partial
from metrics.models import StatusInterval
from metrics.selectors.delivery.groups import (
    Collector,
    Grouper,
    SeriesResult,
    as_seconds,
    bucket_of,
    bucketed,
    duration,
)
from metrics.selectors.delivery.scope import DeliveryQuery, scope_q, team_members
from metrics.selectors.retrospective import PercentileCont, uses_percentile_cont
from tickets.models import Ticket


class EpochSeconds(Func):
    """PostgreSQL: the seconds of an interval."""

    template = "EXTRACT(EPOCH FROM %(expressions)s)"
    output_field = FloatField()


# --- series: issues, pull requests, deployments ---------------------------------------------


def issue_series(*, query: DeliveryQuery) -> SeriesResult:
    """Issues created and completed, cycle time (summed active intervals), lead time and story
    points completed, per bucket and group: three queries."""
    grouper = Grouper(query)
    collect = Collector(query, grouper)
    tickets = Ticket.objects.filter(scope_q(query))
    for raw, bucket, row in bucketed(tickets, query, grouper, "created_at", n=Count("id")):
        collect.add("count", raw, bucket, Partial(count=row["n"]))
    ordered = Q(metrics__done_at__gte=F("created_at"))  # a completion recorded before creation has no lead time
    completed = bucketed(
        tickets, query, grouper, "metrics__done_at",
        n=Count("id"),
        lead=Sum(duration("metrics__done_at", "created_at"), filter=ordered), lead_n=Count("id", filter=ordered),
        points=Sum(Coalesce("story_points", Value(Decimal(0)))),
    )  # fmt: skip
    for raw, bucket, row in completed:
        collect.add("completedCount", raw, bucket, Partial(count=row["n"]))
        collect.add("leadTime", raw, bucket, Partial(count=row["lead_n"], total=as_seconds(row["lead"])))
        collect.add("completedStoryPoints", raw, bucket, Partial(count=row["n"], total=float(row["points"] or 0)))
    intervals = StatusInterval.objects.filter(
        scope_q(query, "ticket__"), status__state="active", ended_at__isnull=False
    )
    active = bucketed(
        intervals, query, grouper, "ticket__metrics__done_at", "ticket__",
        total=Sum(duration("ended_at", "started_at")), n=Count("ticket_id", distinct=True),
    )  # fmt: skip
    for raw, bucket, row in active:
        collect.add("cycleTime", raw, bucket, Partial(count=row["n"], total=as_seconds(row["total"])))
    return collect.result()


def pull_request_series(*, query: DeliveryQuery) -> SeriesResult:
    """Pull requests opened and merged, cycle, review and pickup time and size, per bucket and
    group: three queries (by opening, merge and first review time). Bots' pull requests are left out."""
    grouper = Grouper(query)
    collect = Collector(query, grouper)
    pulls = PullRequest.objects.filter(scope_q(query), author_is_bot=False).alias(
        started_at=Coalesce("first_commit_at", "created_at"),
    )
    for raw, bucket, row in bucketed(pulls, query, grouper, "created_at", n=Count("id")):
        collect.add("count", raw, bucket, Partial(count=row["n"]))
    coded = Q(merged_at__gte=F("started_at"))
    reviewed = Q(merged_at__gte=F("created_at"))
    merged = bucketed(
        pulls, query, grouper, "merged_at",
        n=Count("id"),
        cycle=Sum(duration("merged_at", F("started_at")), filter=coded), cycle_n=Count("id", filter=coded),
        review=Sum(duration("merged_at", "created_at"), filter=reviewed), review_n=Count("id", filter=reviewed),
        size=Sum(F("additions") + F("deletions")),
    )  # fmt: skip
    for raw, bucket, row in merged:
        collect.add("mergedCount", raw, bucket, Partial(count=row["n"]))
        collect.add("cycleTime", raw, bucket, Partial(count=row["cycle_n"], total=as_seconds(row["cycle"])))
        collect.add("reviewTime", raw, bucket, Partial(count=row["review_n"], total=as_seconds(row["review"])))
        collect.add("size", raw, bucket, Partial(count=row["n"], total=float(row["size"] or 0)))
    picked = Q(first_review_at__gte=F("created_at"))
    first_reviews = bucketed(
        pulls, query, grouper, "first_review_at",
        pickup=Sum(duration("first_review_at", "created_at"), filter=picked), pickup_n=Count("id", filter=picked),
    )  # fmt: skip
    for raw, bucket, row in first_reviews:
        collect.add("pickupTime", raw, bucket, Partial(count=row["pickup_n"], total=as_seconds(row["pickup"])))
    return collect.result()


SUCCESS = "success"


def deployment_series(*, query: DeliveryQuery) -> SeriesResult:
    """Deployments (count, frequency, change failure rate) and lead time for changes (median),
    per bucket and group: two queries, three on PostgreSQL (the range's medians)."""
    grouper = Grouper(query)
    collect = Collector(query, grouper)
    deployments = Deployment.objects.filter(scope_q(query))
    counted = bucketed(
        deployments, query, grouper, "deployed_at",
        ok=Count("id", filter=Q(status=SUCCESS)), n=Count("id"),
        failed=Count("id", filter=~Q(status=SUCCESS) | Q(caused_incident=True)),
    )  # fmt: skip
    for raw, bucket, row in counted:
        collect.add("count", raw, bucket, Partial(count=row["ok"]))
        collect.add("frequency", raw, bucket, Partial(count=row["ok"]))
        collect.add("changeFailureRate", raw, bucket, Partial(count=row["n"], total=row["failed"]))
    pairs = DeploymentCommit.objects.filter(scope_q(query, "deployment__"), deployment__status=SUCCESS)
    if query.team is not None:
        pairs = pairs.filter(commit__author_id__in=team_members(query, [query.team]))
    lead = duration("deployment__deployed_at", Coalesce("commit__committed_at", "commit__authored_at"))
    pairs = pairs.alias(lead=lead)
    prefix = "deployment__"
    if uses_percentile_cont(pairs):
        positive = pairs.filter(lead__gt=timedelta(0))
        median = PercentileCont(EpochSeconds(lead), 0.5)
        for raw, bucket, row in bucketed(
            positive, query, grouper, "deployment__deployed_at", prefix, n=Count("id"), median=median
        ):
            collect.add("leadTime", raw, bucket, Partial(count=row["n"], value=row["median"]))
        in_range = positive.filter(
            deployment__deployed_at__gte=query.start_at, deployment__deployed_at__lt=query.end_at
        )
        columns = grouper.columns(prefix)
        if columns:
            rows = list(in_range.values(*columns).annotate(n=Count("id"), median=median).order_by())
        else:
            rows = [in_range.aggregate(n=Count("id"), median=median)]
        for row in rows:
            if row["n"]:
                collect.add("leadTime", grouper.raw_key(row, prefix), None, Partial(row["n"], value=row["median"]))
    else:
        in_range = pairs.filter(
            deployment__deployed_at__gte=query.start_at, deployment__deployed_at__lt=query.end_at
        ).values("deployment__deployed_at", "commit__committed_at", "commit__authored_at", *grouper.columns(prefix))
        for row in in_range:
            committed = row["commit__committed_at"] or row["commit__authored_at"]
            seconds = (row["deployment__deployed_at"] - committed).total_seconds()
            if seconds <= 0:
                continue
            raw = grouper.raw_key(row, prefix)
            bucket = bucket_of(row["deployment__deployed_at"], query.granularity)
            collect.add("leadTime", raw, bucket, Partial(count=1, samples=[seconds]))
            collect.add("leadTime", raw, None, Partial(count=1, samples=[seconds]))
    return collect.result()


SERIES = {calc.ISSUE: issue_series, calc.PULL_REQUEST: pull_request_series, calc.DEPLOYMENT: deployment_series}


def delivery_series(*, query: DeliveryQuery) -> SeriesResult:
    """The series of the query's type (issue, pull_request or deployment), every bucket and group."""
    return SERIES[query.type](query=query)
