"""Formatting for the staff templates, with the API's own rounding."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from api.flow.ticket_log.serializers import hours as seconds_to_hours
from staff.charts import plain_number

register = template.Library()


@register.filter
def hours(seconds):
    """Seconds as hours, two decimals (the API's rounding); empty for None (or a missing value,
    which templates give as "")."""
    value = None if seconds in (None, "") else seconds_to_hours(seconds)
    return "" if value is None else plain_number(value)


@register.filter
def label(value):
    """`not_started` → `not started`."""
    return "" if value is None else str(value).replace("_", " ")


@register.filter
def percent(value, digits=1):
    """A fraction as a percentage; empty for None."""
    return "" if value in (None, "") else f"{value * 100:.{int(digits)}f}%"


@register.filter
def number(value):
    """A number without trailing zeros (3.0 → 3, 2.50 → 2.5); empty for None."""
    if value in (None, ""):
        return ""
    if hasattr(value, "normalize"):
        return f"{value.normalize():f}"
    return plain_number(value, 4) if isinstance(value, float) else str(value)


@register.filter
def trend(value):
    """A relative change as a signed percentage; `–` when there is none."""
    return "–" if value in (None, "") else f"{value * 100:+.0f}%"


@register.filter
def unbroken_dates(text):
    """A range label ("2024-06-01 – 2024-06-07") whose dates never break at their hyphens: a
    narrow screen wraps it at the dash between them."""
    parts = str(text).split(" – ")
    return mark_safe(" – ".join(format_html('<span class="nowrap">{}</span>', part) for part in parts))
