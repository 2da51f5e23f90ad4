"""Form fields that parse query parameters strictly and word their errors as the Flow API does."""

from django import forms
from django.core.exceptions import ValidationError


def invalid_choice_message(value: str, choices: list[str]) -> str:
    return f"Provide a valid choice. '{value}' is not one of the available choices: {choices}"


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
            raise ValidationError(invalid_choice_message(value, self.choices), code="invalid_choice")
        return value


class StrictBooleanField(StrictChoiceField):
    """`true` or `false` (nothing else, so `yes` is a 400); missing means None."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, choices=["true", "false"], **kwargs)

    def clean(self, value):
        value = super().clean(value)
        return None if value is None else value == "true"


class IntegerListField(forms.CharField):
    """A comma-separated list of integers (`team_id__in=1,2,3`)."""

    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return None
        items = [item.strip() for item in value.split(",")]
        try:
            return [int(item) for item in items if item != ""]
        except ValueError:
            raise ValidationError("Enter a comma-separated list of whole numbers.", code="invalid") from None


class StrictIntegerField(forms.CharField):
    """A whole number; `abc` or `1.5` is an error."""

    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return None
        try:
            return int(value)
        except ValueError:
            raise ValidationError("Enter a whole number.", code="invalid") from None
