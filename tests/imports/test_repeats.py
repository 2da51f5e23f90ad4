"""RepeatFinder and HashSet: exact answers from compact state, however crowded the bitmap."""

from imports.validation.repeats import Earlier, HashSet, RepeatFinder


def second_pass(finder: RepeatFinder, values: list) -> list[tuple[int, Earlier]]:
    found = []
    for position, value in enumerate(values):
        earlier = finder.earlier(value, position)
        if earlier is not None:
            found.append((position, earlier))
    return found


def test_a_crowded_bitmap_reports_only_true_repeats_with_their_first_holder():
    values = [("key", 500, f"CORE-{n}") for n in range(20_000)]  # 20,000 values in 1,024 bits
    values += [values[7], values[19_999], values[7]]
    finder = RepeatFinder(values=1)
    for value in values:
        finder.note(value)

    assert finder.may_repeat
    assert second_pass(finder, values) == [(20_000, Earlier(7)), (20_001, Earlier(19_999)), (20_002, Earlier(7))]


def test_distinct_values_leave_nothing_to_look_at_when_the_bitmap_is_roomy():
    values = list(range(1, 1001))
    finder = RepeatFinder(values=len(values))
    for value in values:
        finder.note(value)

    assert second_pass(finder, values) == []


def test_a_first_holder_of_none_or_zero_is_still_an_earlier_occurrence():
    finder = RepeatFinder(values=2)
    for value in ("a", "a"):
        finder.note(value)

    assert finder.earlier("a", None) is None
    assert finder.earlier("a", 0) == Earlier(None)


def test_hash_set_membership_after_any_number_of_additions():
    shas = HashSet()
    for n in range(5000):
        shas.add(f"{n:040x}")

    assert f"{4999:040x}" in shas and f"{0:040x}" in shas
    assert f"{5000:040x}" not in shas
    shas.add(f"{5000:040x}")
    assert f"{5000:040x}" in shas
