"""The git history most import tests share: three authors (one known by email in another case, one
through an alias, one unknown), author dates with their own UTC offsets, a merge, a rewrite of
one's own week-old lines, a rewrite of another author's young lines and an edit of 40-day-old
lines. `EXPECTED` holds every commit's numbers, worked out by hand."""

from datetime import date, datetime, timedelta, timezone

from formulas.coding import monday
from tests.support.gitrepo import GitRepo

ADA = ("Ada Lovelace", "Ada@Acme.Test")  # a person's email, in another case
BOB = ("Bob", "bob@users.noreply.example")  # an alias of Robert
CAROL = ("Carol", "carol@contractor.test")  # nobody yet: becomes a person flagged for review

# The Monday ten weeks before this week's: every date of the scenario is in the past and well
# within the three years the route accepts.
BASE = monday(date.today()) - timedelta(weeks=10)


def at(day: int, hour: int, offset_hours: int = 0, minute: int = 0) -> datetime:
    """`day` days after BASE, at `hour` in a zone `offset_hours` from UTC."""
    local = BASE + timedelta(days=day)
    return datetime(local.year, local.month, local.day, hour, minute, tzinfo=timezone(timedelta(hours=offset_hours)))


def week(n: int) -> date:
    return BASE + timedelta(weeks=n)


def lines(prefix: str, count: int) -> list[str]:
    return [f"{prefix} {i}" for i in range(1, count + 1)]


def build_until_c5(repo: GitRepo) -> dict[str, str]:
    """Week 0: Ada writes legacy.py. Week 4: Bob writes app.py on Sunday evening in UTC-5 (Monday
    of week 5 in UTC). Week 5: Ada writes feature.py, then appends to it. Week 6: Ada rewrites
    three of her 40-day-old lines of legacy.py."""
    shas = {}
    repo.write("legacy.py", lines("legacy", 10))
    shas["c1"] = repo.commit("legacy", author=ADA, when=at(2, 10, +2))
    repo.write("app.py", lines("bob", 8))
    shas["c2"] = repo.commit("app", author=BOB, when=at(34, 22, -5))
    repo.write("feature.py", lines("feature", 6))
    shas["c3"] = repo.commit("feature", author=ADA, when=at(36, 9, +2))
    repo.write("feature.py", [*repo.lines("feature.py"), "feature 7", "feature 8"])
    shas["c4"] = repo.commit("feature more", author=ADA, when=at(36, 15, +2))
    repo.edit("legacy.py", 1, 3, ["legacy one", "legacy two", "legacy three"])
    shas["c5"] = repo.commit("refactor legacy", author=ADA, when=at(42, 9, +2))
    return shas


def build_rest(repo: GitRepo) -> dict[str, str]:
    """Week 6: on a branch, Carol rewrites two of Bob's 9-day-old lines (help others) with four;
    on main, Ada deletes two of her own 8-day-old lines and replaces a third by two (rework 3);
    Ada merges the branch. Week 7: Carol rewrites one of her own lines that came in through the
    merge (rework: the merge kept her authorship), Bob one of his own 15-day-old lines (rework)."""
    shas = {}
    repo.branch("topic")
    repo.edit("app.py", 2, 2, ["carol 1", "carol 2", "carol 3", "carol 4"])
    shas["c6"] = repo.commit("help", author=CAROL, when=at(44, 11, 0))
    repo.checkout("main")
    repo.edit("feature.py", 1, 2, [])
    repo.edit("feature.py", 3, 1, ["feature five", "feature five bis"])
    shas["c7"] = repo.commit("rework", author=ADA, when=at(44, 16, +2))
    shas["m1"] = repo.merge("topic", author=ADA, when=at(45, 10, +2))
    repo.edit("app.py", 3, 1, ["carol again"])
    shas["c8"] = repo.commit("own rework", author=CAROL, when=at(50, 9, 0))
    repo.edit("app.py", 1, 1, ["bob again"])
    shas["c9"] = repo.commit("bob rework", author=BOB, when=at(50, 18, -5))
    return shas


# Per commit: additions, deletions, files, hunk sizes (haloc of each hunk), new work, rework,
# help others, legacy refactor; the author key; the author-local day (days after BASE).
EXPECTED = {
    "c1": (10, 0, 1, [10], 10, 0, 0, 0, "ada", 2),
    "c2": (8, 0, 1, [8], 8, 0, 0, 0, "bob", 34),
    "c3": (6, 0, 1, [6], 6, 0, 0, 0, "ada", 36),
    "c4": (2, 0, 1, [2], 2, 0, 0, 0, "ada", 36),
    "c5": (3, 3, 1, [3], 0, 0, 0, 3, "ada", 42),
    "c6": (4, 2, 1, [4], 2, 0, 2, 0, "carol", 44),
    "c7": (2, 3, 1, [2, 2], 1, 3, 0, 0, "ada", 44),
    "c8": (1, 1, 1, [1], 0, 1, 0, 0, "carol", 50),
    "c9": (1, 1, 1, [1], 0, 1, 0, 0, "bob", 50),
}
