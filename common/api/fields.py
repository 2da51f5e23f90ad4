"""Form fields that parse query parameters strictly and word their errors as the Flow API does.

Messages take their values through ValidationError params: a value containing `%` must not break
the formatting that django-filter applies."""

from django import forms
from django.core.exceptions import ValidationError

MAX_ID = 2**63 - 1  # BIGINT; anything larger cannot name a row and would overflow the database


def invalid_choice_error(value: str, choices: list[str]) -> ValidationError:
    return ValidationError(
        "Provide a valid choice. '%(value)s' is not one of the available choices: %(choices)s",
        code="invalid_choice",
        params={"value": value, "choices": choices},
    )


def _whole_number(text: str) -> int:
    number = int(text)
    if abs(number) > MAX_ID:
        raise ValueError(text)
    return number


class StrictChoiceField(forms.CharField):
    """One of `choices`, exactly; anything else names the available choices."""

    def __init__(self, *args, choices: list[str], **kwargs):
        self.choices = choices
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return None
        if value not in self.choices:
            raise invalid_choice_error(value, self.choices)
        return value


class StrictBooleanField(StrictChoiceField):
    """`true` or `false` in any letter case (Python's `requests` sends `True` for a bool), nothing
    else, so `yes` is a 400; missing means None."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, choices=["true", "false"], **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return value.lower() if isinstance(value, str) and value.lower() in ("true", "false") else value

    def clean(self, value):
        value = super().clean(value)
        return None if value is None else value == "true"


class IntegerListField(forms.CharField):
    """A comma-separated list of whole numbers (`team_id__in=1,2,3`)."""

    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return None
        try:
            return [_whole_number(item.strip()) for item in value.split(",") if item.strip() != ""]
        except ValueError:
            raise ValidationError("Enter a comma-separated list of whole numbers.", code="invalid") from None


class StrictIntegerField(forms.CharField):
    """A whole number; `abc`, `1.5` or a number beyond 64 bits is an error."""

    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return None
        try:
            return _whole_number(value)
        except ValueError:
            raise ValidationError("Enter a whole number.", code="invalid") from None
