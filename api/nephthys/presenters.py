"""The body of `/api/stats_v2`, shaped from the help-desk selector's figures: durations in minutes
(two decimals), the oldest unanswered ticket with its age and a link."""

from collections.abc import Callable
from datetime import datetime

from tickets.selectors.helpdesk import MEAN_KEYS, HelpdeskStats

COUNT_KEYS = ("tickets_total", "tickets_open", "tickets_closed", "tickets_in_progress")


def minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 2)


def _with_minutes(values: dict) -> dict:
    return {key: minutes(value) if key in MEAN_KEYS else value for key, value in values.items()}


def stats_v2_body(stats: HelpdeskStats, *, now: datetime, link: Callable[[int], str]) -> dict:
    """`all_time` (counts, leaderboard, mean times, oldest unanswered ticket), then each rolling
    window (its counts, leaderboard and mean times)."""
    oldest = stats.oldest_unanswered
    body = {
        "all_time": {
            **{key: stats.overall[key] for key in COUNT_KEYS},
            "helpers_leaderboard": stats.leaderboards["all_time"],
            **_with_minutes({key: stats.overall[key] for key in MEAN_KEYS}),
            "oldest_unanswered_ticket": None
            if oldest is None
            else {
                "id": oldest["id"],
                "created_at": oldest["created_at"],
                "age_minutes": minutes((now - oldest["created_at"]).total_seconds()),
                "link": link(oldest["id"]),
            },
        }
    }
    for name, values in stats.windows.items():
        values = _with_minutes(values)
        body[name] = {
            **{key: value for key, value in values.items() if key not in MEAN_KEYS},
            "helpers_leaderboard": stats.leaderboards[name],
            **{key: values[key] for key in MEAN_KEYS},
        }
    return body
