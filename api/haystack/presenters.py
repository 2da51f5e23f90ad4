"""The three response shapes of the Haystack document: regular, group-by and cycle."""

from formulas import delivery as calc
from formulas.sprints import (
    ANALYTICS_FIELDS,
    SprintAnalytics,
    analytics_averages,
    analytics_value,
    numeric_division_text,
)
from metrics.selectors.delivery.groups import SeriesResult
from metrics.selectors.delivery.scope import DeliveryQuery
from metrics.selectors.sprints import SprintRow


def _series(result: SeriesResult, query: DeliveryQuery, measure: calc.Measure, group_key: str) -> list[dict]:
    points = []
    for bucket in result.buckets:
        partial = result.cells.get((measure.name, group_key, bucket))
        days = calc.days_in_range(bucket, query.granularity, query.start, query.end)
        points.append(
            {
                "x": bucket.isoformat(),
                "value": calc.series_value(measure, partial, days=days),
                "sampleSize": partial.count if partial else 0,
            }
        )
    return points


def _metrics(result: SeriesResult, query: DeliveryQuery, group_key: str) -> list[dict]:
    metrics = []
    for measure in result.measures:
        series = _series(result, query, measure, group_key)
        metrics.append(
            {
                "title": measure.title,
                "measure": measure.path,
                "unit": measure.unit,
                "sampleSize": sum(point["sampleSize"] for point in series),
                "series": series,
            }
        )
    return metrics


def _averages(result: SeriesResult, query: DeliveryQuery, group_key: str) -> dict:
    averages: dict[str, dict] = {}
    for measure in result.measures:
        averages.setdefault(measure.entity, {})[measure.name] = calc.average_value(
            measure,
            [result.cells.get((measure.name, group_key, bucket)) for bucket in result.buckets],
            range_partial=result.ranges.get((measure.name, group_key)),
            days=query.days,
        )
    return averages


def regular_document(result: SeriesResult, query: DeliveryQuery) -> dict:
    """`{data: [{title, measure, series: [{x, value}]}], averages: {entity: {measure: value}}}`."""
    key = result.groups[0].key
    return {"data": _metrics(result, query, key), "averages": _averages(result, query, key)}


def group_by_document(result: SeriesResult, query: DeliveryQuery) -> dict:
    """`{data: [{key, values: [metric, ...]}], averages: [{key, values | value: {entity: {measure: value}}}]}`."""
    return {
        "data": [
            {"key": group.key, "name": group.name, "values": _metrics(result, query, group.key)}
            for group in result.groups
        ],
        "averages": [
            group_averages(group.key, group.name, _averages(result, query, group.key)) for group in result.groups
        ],
    }


def group_averages(key: str, name: str, averages: dict) -> dict:
    """One group's averages. The document lists them under `values` but reads them at
    `averages>[number]>value>jiraIssue>count`, so both keys hold the same object."""
    return {"key": key, "name": name, "values": averages, "value": averages}


def analytics_document(analytics: SprintAnalytics) -> dict:
    """One sprint's analytics with the JSON types of the Haystack document: completionRate a
    decimal string as PostgreSQL writes numeric division, counts as strings, storyPointCompletionRate
    and story points as numbers (null for an empty set)."""
    document = {}
    for name, attribute, what in ANALYTICS_FIELDS:
        if name == "completionRate":
            document[name] = numeric_division_text(analytics.completed.count, analytics.total.count)
        elif what == "count":
            document[name] = str(analytics_value(analytics, attribute, what))
        else:
            document[name] = calc.json_number(analytics_value(analytics, attribute, what))
    return document


def _instant(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def cycle_document(rows: list[SprintRow]) -> dict:
    """`{data: [{name, state, analytics}], averages: {cycle: {...}}}`; each sprint also says its
    id, start and end."""
    averages = analytics_averages([row.analytics for row in rows])
    return {
        "data": [
            {
                "name": row.name,
                "state": row.state,
                "analytics": analytics_document(row.analytics),
                "id": row.id,
                "startDate": _instant(row.start),
                "endDate": _instant(row.end),
            }
            for row in rows
        ],
        "averages": {"cycle": {name: calc.json_number(value) for name, value in averages.items()}},
    }
