"""Reading a bundle file in a stream: the small sections whole, the large ones item by item on
each pass, every syntax error found before validation starts."""

import io

import orjson
import pytest

from imports.reading import STREAMED_SECTIONS, BundleUnreadable, StreamedSection, bundle_file, bundle_read
from imports.validation.bundle import bundle_validate
from imports.validation.index import BundleInvalid

BUNDLE = {
    "format": "tally.bundle/1",
    "organization": {"slug": "acme", "name": "Acme", "settings": {"sprint_excluded_work_types": ["Bug"]}},
    "teams": [{"id": 1, "name": "A", "parent": None}],
    "tickets": [{"id": 10, "events": [{"type": "comment", "body": "a\nb"}], "story_points": 2.5}, 7, None, [1]],
    "commits": [],
    "unknown": {"kept": True},
}


def written(tmp_path, content: bytes):
    path = tmp_path / "bundle.json"
    path.write_bytes(content)
    return path


def test_small_values_are_read_whole_and_large_sections_are_streamed(tmp_path):
    data = bundle_read(written(tmp_path, orjson.dumps(BUNDLE)))

    assert {key: value for key, value in data.items() if key not in STREAMED_SECTIONS} == {
        key: value for key, value in BUNDLE.items() if key not in STREAMED_SECTIONS
    }
    assert isinstance(data["tickets"], StreamedSection)
    assert len(data["tickets"]) == 4
    assert not data["commits"]
    assert list(data["commits"]) == []


def test_every_pass_over_a_streamed_section_gives_the_same_items(tmp_path):
    tickets = bundle_read(written(tmp_path, orjson.dumps(BUNDLE)))["tickets"]

    first = list(tickets)
    second = list(tickets)  # read from the lines kept aside by the first pass

    assert first == second == BUNDLE["tickets"]


def test_a_pass_abandoned_half_way_does_not_spoil_the_next(tmp_path):
    tickets = bundle_read(written(tmp_path, orjson.dumps(BUNDLE)))["tickets"]

    next(iter(tickets))

    assert list(tickets) == BUNDLE["tickets"]
    assert list(tickets) == BUNDLE["tickets"]


def test_a_pass_inside_a_first_pass_reads_the_file_itself(tmp_path):
    tickets = bundle_read(written(tmp_path, orjson.dumps(BUNDLE)))["tickets"]

    pairs = [(outer, list(tickets)) for outer in tickets]

    assert pairs == [(item, BUNDLE["tickets"]) for item in BUNDLE["tickets"]]
    assert list(tickets) == BUNDLE["tickets"]


def test_a_large_section_that_is_not_a_list_is_read_whole_for_validation_to_report(tmp_path):
    data = bundle_read(written(tmp_path, b'{"tickets": {"id": 1}, "commits": "none"}'))

    assert data == {"tickets": {"id": 1}, "commits": "none"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not valid JSON: parse error: premature EOF"),
        (b'{"teams": [1, 2', "not valid JSON"),
        (b'{"tickets": [{"id": 1},, {"id": 2}]}', "not valid JSON"),
        (b'{"teams": []} {"teams": []}', "not valid JSON"),
        (b'{"tickets": [{"id": 123456789012345678901234567890}]}', "not valid JSON: parse error: integer overflow"),
    ],
)
def test_a_file_that_is_not_one_json_document_is_unreadable(tmp_path, content, message):
    with pytest.raises(BundleUnreadable) as unreadable:
        bundle_read(written(tmp_path, content))

    assert str(unreadable.value).startswith(message)


def test_a_key_given_twice_is_unreadable(tmp_path):
    with pytest.raises(BundleUnreadable) as unreadable:
        bundle_read(written(tmp_path, b'{"tickets": [], "tickets": [{"id": 1}]}'))

    assert str(unreadable.value) == "the top-level key 'tickets' is given twice"


@pytest.mark.parametrize(("content", "problem"), [(b"[1, 2]", "list"), (b'"bundle"', "str"), (b"7", "int")])
def test_a_root_that_is_not_an_object_is_left_for_validation_to_report(tmp_path, content, problem):
    with pytest.raises(BundleInvalid) as invalid:
        bundle_validate(data=bundle_read(written(tmp_path, content)))

    assert invalid.value.problems == [f"(root): expected a JSON object, got {problem}"]


def test_standard_input_is_copied_to_a_file_that_lasts_while_it_is_read(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(orjson.dumps(BUNDLE))))

    with bundle_file("-") as path:
        data = bundle_read(path)
        assert list(data["tickets"]) == BUNDLE["tickets"]

    assert not path.exists()
