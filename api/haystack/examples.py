"""OpenAPI examples of the Haystack metrics routes: one request per shape and one answer per shape
(the cycle answer is the Haystack document's own example)."""

from drf_spectacular.utils import OpenApiExample

from api.haystack.presenters import group_averages

REGULAR_REQUEST = {"startDate": "2023-01-01", "endDate": "2023-01-31", "granularity": "month", "type": "issue"}
GROUP_BY_REQUEST = {
    "startDate": "2023-01-02",
    "endDate": "2023-01-15",
    "granularity": "week",
    "type": "pull_request",
    "groupBy": "author",
    "filters": [{"field": "repository", "operator": "in", "values": [300]}],
}
CYCLE_REQUEST = {"startDate": "2024-06-01", "endDate": "2024-06-30", "granularity": "cycle", "type": "cycle"}


def _metric(title: str, measure: str, unit: str, points: list[tuple]) -> dict:
    """A metric entry from (x, value, sample size) points."""
    series = [{"x": x, "value": value, "sampleSize": size} for x, value, size in points]
    return {"title": title, "measure": measure, "unit": unit, "sampleSize": sum(p[2] for p in points),
            "series": series}  # fmt: skip


JANUARY = "2023-01-01"
REGULAR_RESPONSE = {
    "data": [
        _metric("Issues created", "jiraIssue.count", "issues", [(JANUARY, 42, 42)]),
        _metric("Issues completed", "jiraIssue.completedCount", "issues", [(JANUARY, 37, 37)]),
        _metric("Cycle time", "jiraIssue.cycleTime", "hours", [(JANUARY, 30.25, 35)]),
        _metric("Lead time", "jiraIssue.leadTime", "hours", [(JANUARY, 101.5, 37)]),
        _metric("Story points completed", "jiraIssue.completedStoryPoints", "points", [(JANUARY, 88, 37)]),
    ],
    "averages": {
        "jiraIssue": {"count": 42, "completedCount": 37, "cycleTime": 30.25, "leadTime": 101.5,
                      "completedStoryPoints": 88},
    },
}  # fmt: skip


def _pull_requests(opened, merged, cycle, pickup, size) -> list[dict]:
    """Two weeks of pull request metrics: each argument is [(value, sample size)] per week."""
    weeks = ("2023-01-02", "2023-01-09")

    def points(values):
        return [(x, value, size) for x, (value, size) in zip(weeks, values, strict=True)]

    return [
        _metric("Pull requests opened", "pullRequest.count", "pull requests", points(opened)),
        _metric("Pull requests merged", "pullRequest.mergedCount", "pull requests", points(merged)),
        _metric("Cycle time", "pullRequest.cycleTime", "hours", points(cycle)),
        _metric("Review time", "pullRequest.reviewTime", "hours", points(cycle)),
        _metric("Pickup time", "pullRequest.pickupTime", "hours", points(pickup)),
        _metric("Pull request size", "pullRequest.size", "lines", points(size)),
    ]


GROUP_BY_RESPONSE = {
    "data": [
        {"key": "1001", "name": "Ada Lovelace", "values": _pull_requests(
            opened=[(3, 3), (1, 1)], merged=[(2, 2), (0, 0)], cycle=[(20.5, 2), (None, 0)],
            pickup=[(2.5, 3), (None, 0)], size=[(120, 2), (None, 0)])},
        {"key": "1002", "name": "Grace Hopper", "values": _pull_requests(
            opened=[(0, 0), (2, 2)], merged=[(1, 1), (1, 1)], cycle=[(6, 1), (12, 1)],
            pickup=[(None, 0), (4, 2)], size=[(30, 1), (50, 1)])},
    ],
    "averages": [
        group_averages("1001", "Ada Lovelace", {"pullRequest": {
            "count": 2, "mergedCount": 1, "cycleTime": 20.5, "reviewTime": 20.5, "pickupTime": 2.5, "size": 120}}),
        group_averages("1002", "Grace Hopper", {"pullRequest": {
            "count": 1, "mergedCount": 1, "cycleTime": 9, "reviewTime": 9, "pickupTime": 4, "size": 40}}),
    ],
}  # fmt: skip

CYCLE_RESPONSE = {
    "data": [
        {
            "name": "Sprint 25",
            "state": "closed",
            "analytics": {
                "completionRate": "0.72727272727272727273",
                "storyPointCompletionRate": 0.6166666666666667,
                "issueCount": "22",
                "totalStoryPoints": 60,
                "injectedIssueCount": "9",
                "injectedStoryPoints": 16,
                "completedIssueCount": "16",
                "completedStoryPoints": 37,
                "committedIssueCount": "13",
                "committedStoryPoints": 44,
                "excludedIssueCount": "3",
                "excludedStoryPoints": 0,
                "removedIssueCount": "0",
                "removedStoryPoints": None,
            },
            "id": 77,
            "startDate": "2024-06-03T09:00:00Z",
            "endDate": "2024-06-17T10:00:00Z",
        }
    ],
    "averages": {
        "cycle": {
            "completionRate": 0.803030303030303,
            "storyPointCompletionRate": 0.7670110192837466,
            "issueCount": 27.5,
            "totalStoryPoints": 60.25,
            "injectedIssueCount": 14,
            "injectedStoryPoints": 20.5,
            "completedIssueCount": 22.5,
            "completedStoryPoints": 46.25,
            "committedIssueCount": 13.5,
            "committedStoryPoints": 39.75,
            "excludedIssueCount": 1.5,
            "excludedStoryPoints": 0,
            "removedIssueCount": 0,
            "removedStoryPoints": 0,
        }
    },
}

BAD_REQUEST_RESPONSE = {
    "groupBy": [
        "'repository' is not available for type 'issue'. "
        "Choose one of: team, author, assignee, reporter, epic, project, work_type, priority."
    ]
}
REGULAR, GROUP_BY, CYCLE = "Regular (issues by month)", "Group by (pull requests by author, weekly)", "Cycle (sprints)"
EXAMPLES = [
    OpenApiExample(REGULAR, value=REGULAR_REQUEST, request_only=True),
    OpenApiExample(GROUP_BY, value=GROUP_BY_REQUEST, request_only=True),
    OpenApiExample(CYCLE, value=CYCLE_REQUEST, request_only=True),
    OpenApiExample(REGULAR, value=REGULAR_RESPONSE, response_only=True, status_codes=["200"]),
    OpenApiExample(GROUP_BY, value=GROUP_BY_RESPONSE, response_only=True, status_codes=["200"]),
    OpenApiExample(CYCLE, value=CYCLE_RESPONSE, response_only=True, status_codes=["200"]),
    OpenApiExample("Bad request", value=BAD_REQUEST_RESPONSE, response_only=True, status_codes=["400"]),
]
