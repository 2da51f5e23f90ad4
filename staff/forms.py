"""Filter forms of the staff pages. A form checks what a person typed or picked, keeps it for
the page to show again, and turns it into the query parameters of the API, which the API's own
FilterSets (`staff.filtersets`) then apply: a staff page and the API agree by construction.

Dates are whole UTC days; a "to" date is inclusive (the range ends at the next midnight)."""

import json
from datetime import UTC, date, datetime, time, timedelta

from django import forms
from django.core.exceptions import ValidationError

from api.flow.ticket_log.filtersets import OrderingField
from staff import selectors
from staff.widgets import FastSelect, FastSelectMultiple
from tickets.models import TicketState

PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50
DEFAULT_RANGE_DAYS = 28
DEFAULT_PERIODS = 6
MAX_PERIODS = 12
ANY = ("", "Any")
PICK_SEVERAL = "Ctrl- or ⌘-click to pick several."


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def day_end(day: date) -> datetime:
    """The end of an inclusive "to" day: the next midnight (ranges are half-open)."""
    return day_start(day + timedelta(days=1))


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


class DayField(forms.DateField):
    """A date between 1900 and 2999 (beyond, "the next midnight" or a period before it could
    leave the calendar)."""

    widget = DateInput

    def validate(self, value):
        super().validate(value)
        if value is not None and not FIRST_DAY <= value <= LAST_DAY:
            raise ValidationError("Enter a date between 1900-01-01 and 2999-12-31.", code="out_of_range")


class ScopeForm(forms.Form):
    """Team, person, current-assignee and work-type fields, common to the ticket log and metrics
    pages. Choices are the organization's own, so another organization's id is an invalid choice."""

    team = forms.MultipleChoiceField(
        required=False,
        widget=FastSelectMultiple,
        help_text=f"Tickets credited to a member of the team(s). {PICK_SEVERAL}",
    )
    include_nested_teams = forms.BooleanField(required=False, label="Include nested teams")
    person = forms.MultipleChoiceField(
        required=False,
        widget=FastSelectMultiple,
        help_text=f"Assignee at some time while the ticket was active. {PICK_SEVERAL}",
    )
    current_assignee = forms.BooleanField(required=False, label="Current assignee only")
    work_type = forms.ChoiceField(required=False, widget=FastSelect)

    def __init__(self, data, *, organization, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(data, **kwargs)
        self.organization = organization
        self.fields["team"].choices = selectors.team_choices(organization=organization)
        self.fields["person"].choices = selectors.person_choices(organization=organization)
        self.fields["work_type"].choices = [ANY, *((w, w) for w in selectors.work_types(organization=organization))]
        self.project_choices = selectors.project_choices(organization=organization)

    def scope_params(self) -> dict[str, str]:
        """The API parameters of the team, person and work-type fields."""
        data = self.cleaned_data
        params = {}
        if data["team"]:
            params["team_id__in"] = ",".join(data["team"])
            if data["include_nested_teams"]:
                params["include_nested_teams"] = "true"
        if data["person"]:
            params["apex_user_id__in"] = ",".join(data["person"])
        if data["current_assignee"] and (data["team"] or data["person"]):
            params["current_assignee"] = "true"
        if data["work_type"]:
            params["work_type"] = data["work_type"]
        return params

    def check_order(self, data: dict, start: str, end: str, label: str) -> None:
        if data.get(start) and data.get(end) and data[start] > data[end]:
            self.add_error(end, ValidationError(f"The {label} range ends before it starts.", code="order"))


class TicketLogForm(ScopeForm):
    """The filters of `/ticket-delivery/ticket-log`, plus state, created and done dates, and a
    search on key and title; the ordering (column names of the API, `-` for descending) and the page."""

    q = forms.CharField(required=False, max_length=200, label="Key or title contains")
    project = forms.ChoiceField(required=False, widget=FastSelect)
    state = forms.ChoiceField(required=False, choices=[ANY, *TicketState.choices])
    created_from = DayField(required=False, label="Created from")
    created_to = DayField(required=False, label="Created to")
    done_from = DayField(required=False, label="Done from")
    done_to = DayField(required=False, label="Done to")
    ordering = OrderingField(required=False, widget=forms.HiddenInput)
    per_page = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=DEFAULT_PAGE_SIZE, choices=[(n, n) for n in PAGE_SIZES],
        label="Rows per page",
    )  # fmt: skip
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    field_order = ["q", "project", "work_type", "state", "team", "include_nested_teams", "person",
                   "current_assignee", "created_from", "created_to", "done_from", "done_to", "per_page"]  # fmt: skip

    def __init__(self, data, *, organization, **kwargs):
        if not data.get("per_page"):
            data = data.copy()
            data["per_page"] = str(DEFAULT_PAGE_SIZE)
        super().__init__(data, organization=organization, **kwargs)
        self.fields["project"].choices = [ANY, *self.project_choices]

    def clean(self):
        data = super().clean()
        self.check_order(data, "created_from", "created_to", "created")
        self.check_order(data, "done_from", "done_to", "done")
        return data

    def api_params(self) -> dict[str, str]:
        """The parameters `/ticket-delivery/ticket-log` takes for these filters."""
        params = self.scope_params()
        data = self.cleaned_data
        if data["project"]:
            params["project__id"] = data["project"]
        if data["ordering"]:
            params["ordering"] = ",".join(data["ordering"])
        return params

    def staff_params(self) -> dict[str, str]:
        """The filters only the staff page has (the API has no parameter for them)."""
        data = self.cleaned_data
        params = {}
        if data["state"]:
            params["state"] = data["state"]
        if data["q"].strip():
            params["search"] = data["q"].strip()
        for name, field in [("created_at", "created"), ("done_at", "done")]:
            if data[f"{field}_from"]:
                params[f"{name}__gte"] = day_start(data[f"{field}_from"]).isoformat()
            if data[f"{field}_to"]:
                params[f"{name}__lt"] = day_end(data[f"{field}_to"]).isoformat()
        return params

    # (Not named like the fields: a class attribute would replace the declared field.)
    @property
    def page_size(self) -> int:
        return self.cleaned_data.get("per_page") or DEFAULT_PAGE_SIZE

    @property
    def sort(self) -> list[str]:
        return self.cleaned_data.get("ordering") or ["id"]


class MetricsForm(ScopeForm):
    """A date range (whole UTC days, "to" inclusive) with a number of previous periods of the
    same length to chart, and the scope filters of `/ticket-delivery/metrics`. Without dates the
    range is the four weeks up to the organization's latest completion."""

    start = DayField(required=False, label="From")
    end = DayField(required=False, label="To (inclusive)")
    periods = forms.IntegerField(
        required=False, min_value=0, max_value=MAX_PERIODS, label="Previous periods",
        help_text=f"Earlier ranges of the same length to compare and chart (0 to {MAX_PERIODS}).",
    )  # fmt: skip
    project = forms.MultipleChoiceField(required=False, widget=FastSelectMultiple, help_text=PICK_SEVERAL)

    field_order = ["start", "end", "periods", "project", "work_type", "team", "include_nested_teams", "person",
                   "current_assignee"]  # fmt: skip

    def __init__(self, data, *, organization, **kwargs):
        data = data.copy()
        if not data.get("start") and not data.get("end"):
            latest = selectors.latest_done_at(organization=organization)
            end = (latest or datetime.now(UTC)).astimezone(UTC).date()
            data["end"] = end.isoformat()
            data["start"] = (end - timedelta(days=DEFAULT_RANGE_DAYS - 1)).isoformat()
        if data.get("periods") in (None, ""):
            data["periods"] = str(DEFAULT_PERIODS)
        super().__init__(data, organization=organization, **kwargs)
        self.fields["project"].choices = self.project_choices

    def clean(self):
        data = super().clean()
        for name in ("start", "end"):
            if name not in self.errors and not data.get(name):
                self.add_error(name, "Enter a date.")
        self.check_order(data, "start", "end", "date")
        if not self.errors:
            try:
                self.ranges()
            except (OverflowError, ValueError):
                self.add_error("periods", "The previous periods reach back before the year 1.")
        return data

    def ranges(self) -> list[tuple[datetime, datetime]]:
        """The date range, then each previous period, nearest first: as long as the range and
        ending where the next one starts."""
        data = self.cleaned_data
        start, end = day_start(data["start"]), day_end(data["end"])
        length = end - start
        return [(start - k * length, end - k * length) for k in range(data["periods"] + 1)]

    def api_params(self) -> dict[str, str]:
        """The parameters `/ticket-delivery/metrics` and its sources routes take for this form."""
        ranges = self.ranges()

        def pair(r):
            return [r[0].isoformat(), r[1].isoformat()]

        params = {"date_range": json.dumps(pair(ranges[0]), separators=(",", ":"))}
        if len(ranges) > 1:
            params["periods"] = json.dumps([pair(r) for r in ranges[1:]], separators=(",", ":"))
        params.update(self.scope_params())
        if self.cleaned_data["project"]:
            params["project_ids"] = ",".join(self.cleaned_data["project"])
        return params
