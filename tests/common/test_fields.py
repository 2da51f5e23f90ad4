import pytest
from django.core.exceptions import ValidationError

from common.api.fields import StrictBooleanField


@pytest.mark.parametrize(("text", "expected"), [("true", True), ("True", True), ("TRUE", True), ("false", False),
                                                 ("False", False), ("", None)])  # fmt: skip
def test_booleans_in_any_letter_case(text, expected):
    assert StrictBooleanField(required=False).clean(text) is expected


@pytest.mark.parametrize("text", ["yes", "1", "Yes", "truee"])
def test_anything_else_names_the_choices(text):
    with pytest.raises(ValidationError) as error:
        StrictBooleanField(required=False).clean(text)
    assert error.value.messages == [
        f"Provide a valid choice. '{text}' is not one of the available choices: ['true', 'false']"
    ]
