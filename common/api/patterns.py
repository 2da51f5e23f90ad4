"""The regular expressions the OpenAPI document gives dates, times and id lists: the forms the
routes' parsers read, so a value that matches is one a route accepts, except for the rules that
relate values to each other (a day its month lacks, an end before its start), which
docs/api-contract.md lists. ASCII digits only (`[0-9]`, not `\\d`, which admits other scripts' digits)."""

DATE = r"(?!0000)[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
TIME = r"([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?"
OFFSET = r"(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))"  # real places' offsets: up to ±14:00
# `2024-06-01`, `2024-06-01T09:00:00` or with an offset: the Ticketing and Nephthys date-times.
DATE_TIME = rf"^{DATE}(T{TIME}{OFFSET}?)?$"
# Nephthys also reads a space between date and time (`2024-06-01 09:00`).
DATE_SPACE_TIME = rf"^{DATE}([T ]{TIME}{OFFSET}?)?$"

# A Flow date range: a JSON list of two plain dates or date-times with an offset, which Flow
# writes with a one-digit hour (`-6:00`) and which may lack the colon (`+0530`).
_FLOW_OFFSET = r"(Z|[+-]((0?[0-9]|1[0-3]):?[0-5][0-9]|14:?00))"
_FLOW_INSTANT = rf'"{DATE}(T{TIME}{_FLOW_OFFSET})?"'
_SPACE = r"[ \t\n\r]*"  # JSON's whitespace
_PAIR = rf"\[{_SPACE}{_FLOW_INSTANT}{_SPACE},{_SPACE}{_FLOW_INSTANT}{_SPACE}\]"
DATE_RANGE = rf"^{_SPACE}{_PAIR}{_SPACE}$"
PERIODS = rf"^{_SPACE}\[{_SPACE}({_PAIR}({_SPACE},{_SPACE}{_PAIR})*)?{_SPACE}\]{_SPACE}$"

# A UUID in its usual 36-character form.
UUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"

# A comma list of ids: whole numbers from 1, at most 18 digits (below 2^63, a BIGINT key).
ID_LIST = r"^[1-9][0-9]{0,17}(,[1-9][0-9]{0,17})*$"

# The Ticketing `timezone`: whole hours from -12 to 14.
TIMEZONE_OFFSET = r"^(\+?(0?[0-9]|1[0-4])|-(0?[0-9]|1[0-2]))$"

# Free text: anything but NUL, which PostgreSQL cannot store.
NO_NUL = r"^[^\x00]*$"
# Text that is not blank once trimmed (what a required text field reads), and has no NUL.
NOT_BLANK = r"^\s*[^\s\x00][^\x00]*$"
