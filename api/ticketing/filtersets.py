"""Query parameters of `GET /ticketing/v1/tickets`: filters, order, projection and the caller's
time zone. Unknown parameters are ignored; a known one with a bad value is a 400 naming it (every
bad parameter at once)."""

import re
from datetime import UTC, datetime

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case, DateTimeField, F, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions

from api.ticketing.continuation import Keyset, query_fingerprint
from api.ticketing.presenters import SELECTABLE_FIELDS
from api.ticketing.serializers import PRIORITIES
from api.ticketing.times import DATE_TIME_HELP, DATE_TIME_PATTERN, TIMEZONE_PATTERN, parse_moment, parse_offset
from api.ticketing.workflow import LABELS
from common.api import patterns
from common.api.fields import invalid_choice_error
from common.api.filters import ignore
from tickets.models import Ticket, TicketTag

_EARLIEST = Value(datetime(1, 1, 1, tzinfo=UTC), DateTimeField())
_PRIORITY_RANK = Case(
    *[When(priority=name, then=Value(rank)) for rank, name in enumerate(PRIORITIES)],
    default=Value(len(PRIORITIES)),
    output_field=IntegerField(),
)
# orderBy value -> (sort expression, its kind for the continuation token). Empty values sort first
# in ascending order (nulls are coalesced, so the keyset comparison stays simple).
ORDERINGS = {
    "status": (F("status__position"), "int"),
    "ticketId": (Coalesce("number", Value(0)), "int"),
    "title": (F("title"), "str"),
    "requestorName": (Coalesce("reporter__name", Value("")), "str"),
    "requestorEmail": (Coalesce("reporter__email", Value("")), "str"),
    "assigneeName": (Coalesce("assignee__name", Value("")), "str"),
    "assigneeEmail": (Coalesce("assignee__email", Value("")), "str"),
    "expectedDate": (Coalesce("expected_at", _EARLIEST), "datetime"),
    "priority": (_PRIORITY_RANK, "int"),
    "createdDateTime": (F("created_at"), "datetime"),
    "lastInteraction": (Coalesce("last_message_at", "created_at"), "datetime"),
    "lastUpdatedOn": (F("updated_at"), "datetime"),
}
ORDER_CHOICES = ["ASC", "DESC", "asc", "desc"]
SORT_FIELD = "ticketing_sort"


def _names(pattern: str) -> str:
    return "(" + "|".join(re.escape(name) for name in pattern) + ")"


class ChoiceListField(forms.CharField):
    """A comma list of choices (whitespace around items ignored)."""

    def __init__(self, *args, names, **kwargs):
        self.choices = list(names)
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return None
        items = [item.strip() for item in value.split(",")]
        for item in items:
            if item not in self.choices:
                raise invalid_choice_error(item, self.choices)
        return list(dict.fromkeys(items))


class OneChoiceField(ChoiceListField):
    def clean(self, value):
        items = super().clean(value)
        if items and len(items) > 1:
            raise ValidationError("Give one value.", code="invalid")
        return items[0] if items else None


TAG_PATTERN = f"^{patterns.UUID}_[^,]+(,{patterns.UUID}_[^,]+)*$"
_TAG_RE = re.compile(TAG_PATTERN)


class TagListField(forms.CharField):
    """`tagCategoryId_tagText,...`: (category id, text) pairs."""

    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return None
        if not _TAG_RE.fullmatch(value):
            raise ValidationError(
                "Enter a comma-separated list of tagCategoryId_tagText "
                "(a 36-character category id, '_', the tag text).",
                code="invalid",
            )
        return [(item[:36].lower(), item[37:]) for item in value.split(",")]


class MomentText(forms.CharField):
    """A date or date-time (kept as text; read in the caller's time zone by the filter set)."""

    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return None
        try:
            parse_moment(value, parse_offset(None))
        except ValueError:
            raise ValidationError(
                "Enter a date or date-time in ISO 8601, e.g. 2024-06-01T09:00:00.", code="invalid"
            ) from None
        return value


class TimezoneText(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        try:
            return parse_offset(value)
        except exceptions.ValidationError:
            raise ValidationError(
                "Enter a whole number of hours between -12 and 14, e.g. 7 for GMT+7.", code="invalid"
            ) from None


def _filter(field_class, schema: dict, **kwargs):
    @extend_schema_field(schema)
    class _Filter(django_filters.Filter):
        pass

    _Filter.field_class = field_class
    return _Filter(method=ignore, **kwargs)


def _list_pattern(names) -> str:
    return "^ *" + _names(names) + "( *, *" + _names(names) + ")* *$"


_LABEL_LIST = _list_pattern(LABELS)
_PRIORITY_LIST = _list_pattern(PRIORITIES)
_SELECT_LIST = _list_pattern(SELECTABLE_FIELDS)
_MOMENT = {"type": "string", "pattern": DATE_TIME_PATTERN}


class TicketFilterSet(django_filters.FilterSet):
    """Filters of the ticket list. Date filters are half-open: `...After` includes the instant,
    `...Before` excludes it; dates without an offset are read in the caller's `timezone`."""

    timezone = _filter(
        TimezoneText, {"type": "string", "pattern": TIMEZONE_PATTERN, "example": "7"},
        help_text="The caller's UTC offset in whole hours (7 = GMT+7), applied to every time rendered or read.",
    )  # fmt: skip
    search = _filter(
        forms.CharField, {"type": "string", "maxLength": 200},
        help_text="Words in the title, description, number, requestor or assignee (name or email).",
        max_length=200,
    )  # fmt: skip
    title = _filter(
        forms.CharField, {"type": "string", "maxLength": 200}, help_text="Part of the title.", max_length=200
    )
    status = _filter(
        ChoiceListField, {"type": "string", "pattern": _LABEL_LIST, "example": "Open,Started"},
        help_text="Open, Reopened, Started, Resolved or Closed (a comma list matches any).", names=LABELS,
    )  # fmt: skip
    priority = _filter(
        ChoiceListField, {"type": "string", "pattern": _PRIORITY_LIST, "example": "Urgent"},
        help_text="Low, Medium, Important or Urgent (a comma list matches any).", names=PRIORITIES,
    )  # fmt: skip
    tags = _filter(
        TagListField, {"type": "string", "pattern": TAG_PATTERN},
        help_text="Comma list of tagCategoryId_tagText; tickets with any of the tags.",
    )  # fmt: skip
    createdAfter = _filter(MomentText, _MOMENT, help_text=f"Created at or after. {DATE_TIME_HELP}")
    createdBefore = _filter(MomentText, _MOMENT, help_text="Created before.")
    lastUpdateAfter = _filter(MomentText, _MOMENT, help_text="Last updated at or after.")
    lastUpdateBefore = _filter(MomentText, _MOMENT, help_text="Last updated before.")
    expectedDateAfter = _filter(MomentText, _MOMENT, help_text="Expected at or after.")
    expectedDateBefore = _filter(MomentText, _MOMENT, help_text="Expected before.")
    orderBy = _filter(
        OneChoiceField, {"type": "string", "enum": list(ORDERINGS)},
        help_text="Sort field; default createdDateTime (newest first). Ties are broken by ticket.", names=ORDERINGS,
    )  # fmt: skip
    order = _filter(
        OneChoiceField, {"type": "string", "enum": ORDER_CHOICES},
        help_text="ASC or DESC; default ASC with orderBy, else DESC.", names=ORDER_CHOICES,
    )  # fmt: skip
    select = _filter(
        ChoiceListField, {"type": "string", "pattern": _SELECT_LIST, "example": "id,ticketId,title,status"},
        help_text="Comma list of the fields to return: " + ", ".join(SELECTABLE_FIELDS) + ".",
        names=SELECTABLE_FIELDS,
    )  # fmt: skip

    class Meta:
        model = Ticket
        fields: list[str] = []

    def __init__(self, *args, workflow, **kwargs):
        super().__init__(*args, **kwargs)
        self.workflow = workflow

    @property
    def data_clean(self) -> dict:
        return self.form.cleaned_data

    @property
    def keyset(self) -> Keyset:
        data = self.form.cleaned_data
        order_by = data["orderBy"]
        descending = (data["order"] or ("ASC" if order_by else "DESC")).upper() == "DESC"
        return Keyset(field=SORT_FIELD, kind=ORDERINGS[order_by or "createdDateTime"][1], descending=descending)

    def fingerprint(self, instance_id: int) -> str:
        data = dict(self.form.cleaned_data)
        tz = data.pop("timezone")
        data.pop("select")
        for name, value in data.items():
            if isinstance(value, str) and name.endswith(("After", "Before")):
                data[name] = parse_moment(value, tz).isoformat()
        return query_fingerprint({"instance": instance_id, **data})

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        tz = data["timezone"]
        if data["search"]:
            queryset = queryset.filter(self._search(data["search"].strip()))
        if data["title"]:
            queryset = queryset.filter(title__icontains=data["title"])
        if data["status"]:
            queryset = queryset.filter(self.workflow.condition(data["status"]))
        if data["priority"]:
            queryset = queryset.filter(priority__in=data["priority"])
        if data["tags"]:
            condition = Q()
            for category_id, text in data["tags"]:
                condition |= Q(tag__category_id=category_id, tag__text=text)
            queryset = queryset.filter(id__in=TicketTag.objects.filter(condition).values("ticket_id"))
        for name, lookup in (
            ("createdAfter", "created_at__gte"), ("createdBefore", "created_at__lt"),
            ("lastUpdateAfter", "updated_at__gte"), ("lastUpdateBefore", "updated_at__lt"),
            ("expectedDateAfter", "expected_at__gte"), ("expectedDateBefore", "expected_at__lt"),
        ):  # fmt: skip
            if data[name]:
                queryset = queryset.filter(**{lookup: parse_moment(data[name], tz)})
        expression = ORDERINGS[data["orderBy"] or "createdDateTime"][0]
        return queryset.annotate(**{SORT_FIELD: expression})

    @staticmethod
    def _search(words: str) -> Q:
        condition = Q()
        for word in words.split()[:10]:
            match = (
                Q(title__icontains=word) | Q(description__icontains=word) | Q(key__iexact=word)
                | Q(reporter__name__icontains=word) | Q(reporter__email__icontains=word)
                | Q(assignee__name__icontains=word) | Q(assignee__email__icontains=word)
            )  # fmt: skip
            if word.isdigit() and len(word) < 10:
                match |= Q(number=int(word))
            condition &= match
        return condition
