"""Jira values as plain data: times in UTC, text out of Atlassian Document Format, numbers, sprint
values of both flavours."""

import re
from datetime import UTC, datetime

_JIRA_OFFSET = re.compile(r"([+-])(\d{2})(\d{2})$")
_DC_SPRINT = re.compile(r"\[(.*)\]$", re.DOTALL)
BLOCK_NODES = frozenset({"paragraph", "heading", "blockquote", "codeBlock", "listItem", "rule", "panel", "tableRow"})


def utc_iso(value: str | None) -> str | None:
    """`2020-06-12T08:13:13.360+0800` (Jira's form) as ISO 8601 in UTC with Z."""
    if not value:
        return None
    text = _JIRA_OFFSET.sub(r"\1\2:\3", value.strip()).replace("Z", "+00:00")
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def plain_text(value: object) -> str:
    """A text field: v2 gives a string, v3 an Atlassian Document Format tree."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if not isinstance(value, dict):
        return str(value)
    parts: list[str] = []
    _adf_walk(value, parts)
    return "".join(parts).strip("\n")


def _adf_walk(node: dict, parts: list[str]) -> None:
    kind = node.get("type")
    if kind == "text":
        parts.append(str(node.get("text") or ""))
    elif kind == "hardBreak":
        parts.append("\n")
    elif kind in ("mention", "emoji", "status", "date", "inlineCard"):
        attrs = node.get("attrs") or {}
        parts.append(str(attrs.get("text") or attrs.get("shortName") or attrs.get("url") or ""))
    for child in node.get("content") or []:
        if isinstance(child, dict):
            _adf_walk(child, parts)
    if kind in BLOCK_NODES and parts and not parts[-1].endswith("\n"):
        parts.append("\n")


def points(value: object) -> float | None:
    """Story points as a non-negative number, None when absent or not a number (Jira stores `-1`
    and free text in some sites)."""
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if number < 0 or number != number or number > 999_999:
        return None
    return int(number) if number.is_integer() else number


def id_list(value: str | None) -> list[str]:
    """A changelog value listing ids (`"7, 9"`)."""
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def sprint_record(value: object) -> dict | None:
    """A sprint as the sprint field gives it: an object (Cloud, agile API) or Data Center's
    `com.atlassian.greenhopper.service.sprint.Sprint@1a2b[id=3,rapidViewId=1,state=CLOSED,...]`."""
    if isinstance(value, dict):
        return value if value.get("id") is not None else None
    if not isinstance(value, str):
        return None
    match = _DC_SPRINT.search(value)
    if not match:
        return None
    record: dict = {}
    for part in re.split(r",(?=\w+=)", match.group(1)):
        key, _sep, item = part.partition("=")
        record[key] = None if item == "<null>" else item
    if not record.get("id"):
        return None
    return {
        "id": record["id"], "name": record.get("name") or f"Sprint {record['id']}",
        "state": (record.get("state") or "").lower(), "startDate": record.get("startDate"),
        "endDate": record.get("endDate"), "completeDate": record.get("completeDate"),
    }  # fmt: skip
