"""The request body of the Haystack metrics routes, validated whole: every bad field, value or
combination is named at once. The response shapes are in `response_serializers`."""

import re
from datetime import date

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.api.fields import MAX_ID
from formulas import delivery as calc
from metrics.selectors.delivery.scope import DeliveryQuery, FilterSpec

DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MIN_DATE, MAX_DATE = date(1900, 1, 1), date(9998, 12, 31)
MAX_RANGE_DAYS = 1096  # three years
MAX_FILTERS = 50
MAX_VALUES = 1000  # per filter, and over all filters together
MAX_MATCHED_VALUES = 100  # for `contains` and `team`, which become one condition per value
MAX_VALUE_LENGTH = 500
ID_KINDS = (calc.PERSON, calc.ENTITY, calc.TEAM)


def _choices_text(choices) -> str:
    return ", ".join(choices)


@extend_schema_field({"type": "string", "format": "date", "example": "2023-01-01"})
class StrictDateField(serializers.Field):
    """A calendar date written `YYYY-MM-DD`, nothing else."""

    default_error_messages = {
        "invalid": "Enter a date as YYYY-MM-DD, e.g. 2023-01-31.",
        "range": "Enter a date between 1900-01-01 and 9998-12-31.",
    }

    def to_internal_value(self, data):
        if not isinstance(data, str) or not DATE_PATTERN.match(data):
            self.fail("invalid")
        try:
            value = date.fromisoformat(data)
        except ValueError:
            self.fail("invalid")
        if not MIN_DATE <= value <= MAX_DATE:
            self.fail("range")
        return value

    def to_representation(self, value):
        return value.isoformat()


class StrictChoiceField(serializers.ChoiceField):
    """One of `choices`, as a string; anything else names the choices. With `allow_blank`, null
    and "" mean "not given"."""

    def __init__(self, *, choices, allow_blank: bool = False, **kwargs):
        super().__init__(choices=list(choices), allow_blank=allow_blank, allow_null=allow_blank, **kwargs)

    def to_internal_value(self, data):
        if self.allow_blank and data == "":
            return None
        if not isinstance(data, str) or data not in self.choices:
            shown = data if isinstance(data, str) else repr(data)
            raise serializers.ValidationError(
                f"'{shown}' is not a valid choice. Choose one of: {_choices_text(self.choices)}."
            )
        return data


FILTER_VALUES_SCHEMA = {
    "type": "array",
    "minItems": 1,
    "maxItems": MAX_VALUES,
    "items": {"oneOf": [{"type": "string", "maxLength": MAX_VALUE_LENGTH}, {"type": "integer"}]},
}


@extend_schema_field(FILTER_VALUES_SCHEMA)
class FilterValuesField(serializers.Field):
    """A non-empty list of strings or whole numbers."""

    def to_internal_value(self, data):
        if not isinstance(data, list):
            raise serializers.ValidationError('Expected a list of values, e.g. ["feature", "bug"] or [101, 102].')
        if not data:
            raise serializers.ValidationError("Give at least one value.")
        if len(data) > MAX_VALUES:
            raise serializers.ValidationError(f"Give at most {MAX_VALUES} values.")
        for value in data:
            if isinstance(value, bool) or not isinstance(value, (str, int)):
                raise serializers.ValidationError(f"{value!r} is neither a string nor a whole number.")
            if isinstance(value, int) and abs(value) > MAX_ID:
                raise serializers.ValidationError(f"{value} is too large.")
            if isinstance(value, str) and (len(value) > MAX_VALUE_LENGTH or "\x00" in value):
                raise serializers.ValidationError(
                    f"Values are at most {MAX_VALUE_LENGTH} characters, without NUL characters."
                )
        return data

    def to_representation(self, value):
        return value


class HaystackFilterSerializer(serializers.Serializer):
    """`{field, operator, values}`. Which fields a type takes, and what their values are, is
    checked against the request's type."""

    field = StrictChoiceField(
        choices=calc.ALL_FILTER_FIELDS,
        help_text="What to filter on; which fields a type takes is listed in the operation's description.",
    )
    operator = StrictChoiceField(
        choices=calc.OPERATORS,
        help_text="`in` / `not_in`: any / none of the values; `equals` / `not_equals`: exactly one value; "
        "`contains`: a case-insensitive part of the value (of the name for ids).",
    )
    values = FilterValuesField(help_text="Ids (whole numbers) for id fields, strings for text fields and `contains`.")


class HaystackMetricsQuerySerializer(serializers.Serializer):
    """The body of `POST /public/api/metrics` and `POST /public/api/team/{teamId}/metrics`.
    Unknown keys are ignored."""

    startDate = StrictDateField(help_text="First day of the range (UTC), YYYY-MM-DD.")
    endDate = StrictDateField(help_text="Last day of the range (UTC, included), YYYY-MM-DD.")
    granularity = StrictChoiceField(
        choices=calc.GRANULARITIES,
        help_text="`week` (Monday weeks) or `month` series, or `cycle` for sprints (types `cycle` and `issue`).",
    )
    type = StrictChoiceField(choices=calc.TYPES, help_text="What to measure.")
    groupBy = StrictChoiceField(
        choices=calc.ALL_GROUP_BY,
        allow_blank=True,
        required=False,
        help_text='Group the series (not with granularity `cycle`); null or "" for none. Per type: '
        + "; ".join(f"{t}: {', '.join(names)}" for t, names in calc.GROUP_BY.items() if names)
        + ".",
    )
    filters = serializers.ListSerializer(
        child=HaystackFilterSerializer(), required=False, allow_null=True, max_length=MAX_FILTERS,
        help_text="`{field, operator, values}` filters, all of which a row must pass; null or [] for none.",
    )  # fmt: skip

    def to_internal_value(self, data):
        """DRF names a bad filter by its index in a dict; write `filters` errors as a list instead,
        one object per filter (empty for good ones), as the combination checks below do."""
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as error:
            detail = error.detail
            problems = detail.get("filters") if isinstance(detail, dict) else None
            if isinstance(problems, dict) and problems and all(isinstance(key, int) for key in problems):
                detail["filters"] = [problems.get(index, {}) for index in range(len(data["filters"]))]
            raise serializers.ValidationError(detail) from None

    def validate(self, attrs):
        errors: dict = {}
        start, end = attrs["startDate"], attrs["endDate"]
        if end < start:
            errors["endDate"] = ["endDate must not be before startDate."]
        elif (end - start).days + 1 > MAX_RANGE_DAYS:
            errors["endDate"] = [f"The range may span at most {MAX_RANGE_DAYS} days (3 years)."]
        kind, granularity, group_by = attrs["type"], attrs["granularity"], attrs.get("groupBy")
        if kind == calc.CYCLE_TYPE and granularity != calc.CYCLE:
            errors["granularity"] = ["type 'cycle' takes granularity 'cycle'."]
        elif granularity == calc.CYCLE and kind not in (calc.CYCLE_TYPE, calc.ISSUE):
            errors["granularity"] = [f"granularity 'cycle' is for types cycle and issue, not '{kind}'."]
        if group_by is not None:
            if granularity == calc.CYCLE:
                errors["groupBy"] = ["groupBy is not available with granularity 'cycle'."]
            elif group_by not in calc.GROUP_BY[kind]:
                errors["groupBy"] = [
                    f"'{group_by}' is not available for type '{kind}'. Choose one of: "
                    f"{_choices_text(calc.GROUP_BY[kind])}."
                ]
        filter_kind = calc.CYCLE_TYPE if granularity == calc.CYCLE else kind
        what = "granularity 'cycle' (sprints)" if granularity == calc.CYCLE else f"type '{kind}'"
        filter_errors, filters = _check_filters(attrs.get("filters") or [], filter_kind, what)
        if any(filter_errors):
            errors["filters"] = filter_errors
        elif sum(len(spec.values) for spec in filters) > MAX_VALUES:
            errors["filters"] = [f"The filters may hold at most {MAX_VALUES} values together."]
        if errors:
            raise serializers.ValidationError(errors)
        attrs["filters"] = filters
        return attrs

    def query(self, *, organization, team) -> DeliveryQuery:
        data = self.validated_data
        kind = data["type"]
        if data["granularity"] == calc.CYCLE:
            kind = calc.CYCLE_TYPE
        return DeliveryQuery(
            organization=organization, team=team, type=kind, start=data["startDate"], end=data["endDate"],
            granularity=data["granularity"], group_by=data.get("groupBy"), filters=tuple(data["filters"]),
        )  # fmt: skip


def _check_filters(items: list[dict], kind: str, what: str) -> tuple[list[dict], list[FilterSpec]]:
    """Each filter against the type (`what` names it in messages): its field, and values of the
    field's kind (whole numbers for ids, strings for text; `equals` / `not_equals` take exactly one)."""
    fields = calc.FILTER_FIELDS[kind]
    errors, specs = [], []
    for item in items:
        problems: dict[str, list[str]] = {}
        field, operator, values = item["field"], item["operator"], item["values"]
        if field not in fields:
            problems["field"] = [f"'{field}' is not a filter of {what}. Choose one of: {_choices_text(fields)}."]
        elif operator in (calc.EQUALS, calc.NOT_EQUALS) and len(values) != 1:
            problems["values"] = [f"'{operator}' takes exactly one value."]
        elif (operator == calc.CONTAINS or field == "team") and len(values) > MAX_MATCHED_VALUES:
            problems["values"] = [f"'{operator}' on '{field}' takes at most {MAX_MATCHED_VALUES} values."]
        elif operator == calc.CONTAINS:
            values = [str(v) for v in values]
        elif fields[field] in ID_KINDS:
            parsed = [_whole_number(v) for v in values]
            if None in parsed:
                problems["values"] = [f"'{field}' takes ids: whole numbers such as 101."]
            values = parsed
        elif any(not isinstance(v, str) for v in values):
            problems["values"] = [f"'{field}' takes strings."]
        errors.append(problems)
        specs.append(FilterSpec(field=field, operator=operator, values=tuple(values)))
    return errors, specs


def _whole_number(value) -> int | None:
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,19}", value.strip()) and abs(int(value)) <= MAX_ID:
        return int(value)
    return None
