"""`import_git` on real git repositories built in a temporary folder: authors resolved through
emails and aliases, author-local days, hunk-aware lines, the rework / help-others / legacy split
replayed through history (merges included), and the coding metrics the route reports for the
imported history. Re-runs, incremental imports and rewrites: test_git_reimport.py."""

from datetime import UTC, timedelta

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Person, PersonAlias
from coding.git import stream_commits
from coding.models import Commit, PersonCodingDay, Repository, RepositoryTag
from coding.replay import Replay
from coding.services.commits import AuthorResolver, GitImportError
from coding.services.git import git_import
from formulas.coding import commit_impact, round_one_decimal
from tests.support.factories import OrganizationFactory, PersonAliasFactory, PersonFactory
from tests.support.git_scenario import ADA, BASE, BOB, CAROL, EXPECTED, at, lines, week
from tests.support.gitrepo import GitRepo

pytestmark = pytest.mark.django_db
URL = "/v3/customer/metrics/code_fundamentals/period_metrics/"


def _stored(shas: dict[str, str]) -> dict[str, Commit]:
    by_sha = {commit.sha: commit for commit in Commit.objects.all()}
    return {name: by_sha[sha] for name, sha in shas.items()}


def test_import_classifies_every_commit_exactly(organization, people, history):
    repo, shas = history
    summary = git_import(organization=organization, path=str(repo.path), repository_name="core")

    assert (summary.created, summary.updated, summary.people_created) == (10, 0, 1)
    carol = Person.objects.get(organization=organization, email="carol@contractor.test")
    assert carol.needs_review and carol.name == "Carol"
    assert PersonAlias.objects.filter(person=carol, value="carol@contractor.test").exists()
    authors = {**people, "carol": carol}
    stored = _stored(shas)
    for name, (adds, dels, files, hunks, new, rework, help_others, legacy, author, day) in EXPECTED.items():
        commit = stored[name]
        assert not commit.is_merge, name
        counts = (commit.additions, commit.deletions, commit.files, commit.hunks, commit.haloc)
        assert counts == (adds, dels, files, len(hunks), sum(hunks)), name
        split = (commit.new_work_lines, commit.rework_lines, commit.help_others_lines, commit.legacy_refactor_lines)
        assert split == (new, rework, help_others, legacy), name
        assert commit.author_id == authors[author].id, name
        assert commit.authored_local_date == BASE + timedelta(days=day), name
        expected_impact = commit_impact(
            hunk_sizes=hunks, old_lines=rework + help_others + legacy, haloc=sum(hunks), files=files
        )
        assert commit.impact == pytest.approx(expected_impact), name
    assert stored["c5"].impact == pytest.approx(4.0)  # log2(4) × (1 + 3/3) × 1
    merge = stored["m1"]
    assert merge.is_merge and merge.author_id == people["ada"].id
    assert (merge.haloc, merge.rework_lines, merge.impact) == (0, 0, 0)


def test_author_offsets_are_kept(organization, people, history):
    repo, shas = history
    git_import(organization=organization, path=str(repo.path), repository_name="core")
    bob = Commit.objects.get(sha=shas["c2"])
    # Sunday 22:00 at UTC-5 is Monday 03:00 UTC: the day (and the week) is the author's.
    assert bob.author_utc_offset_minutes == -300
    assert bob.authored_at == at(34, 22, -5)
    assert bob.authored_at.astimezone(UTC).date() == BASE + timedelta(days=35)
    assert bob.authored_local_date == BASE + timedelta(days=34)


def test_line_counts_match_git_numstat(organization, people, history):
    repo, _shas = history
    git_import(organization=organization, path=str(repo.path), repository_name="core")
    numstat = repo.numstat()
    stored = {c.sha: c for c in Commit.objects.filter(is_merge=False)}
    assert set(numstat) == set(stored)
    for sha, (additions, deletions, files) in numstat.items():
        assert (stored[sha].additions, stored[sha].deletions, stored[sha].files) == (additions, deletions, files)


def test_rollups_and_route_give_the_expected_metrics(organization, people, history, api_client):
    repo, _shas = history
    git_import(organization=organization, path=str(repo.path), repository_name="core")
    ada = people["ada"]

    assert PersonCodingDay.objects.filter(person=ada).count() == 4  # days 2, 36, 42, 44 (not 45: a merge)
    params = {"start_date": week(0).isoformat(), "end_date": (week(7) + timedelta(days=6)).isoformat()}

    period = api_client.get(URL, {**params, "resolution": "period"}).json()
    # 3 engineers over 8 weeks = 24 engineer-weeks; 8 coding days; 9 commits; 39 hunk-aware lines
    # of which 5 rework; impact summed over the 7 engineer-weeks with a commit.
    # Impact by the documented formula, from the hand-worked hunks of EXPECTED (not read back from
    # the database): 28.05 over 7 engineer-weeks.
    impacts = {
        name: commit_impact(hunk_sizes=hunks, old_lines=rework + help_others + legacy, haloc=sum(hunks), files=files)
        for name, (_a, _d, files, hunks, _new, rework, help_others, legacy, _who, _day) in EXPECTED.items()
    }
    total_impact = sum(impacts.values())
    assert total_impact == pytest.approx(28.05, abs=0.01)
    assert period == {
        "count": 1,
        "results": [
            {
                "active_days": 0.3,  # 8 / 24
                "commit_count": 1.1,  # 9 / 8
                "total_impact": 4.0,  # 28.05 / 7
                "total_efficiency": 87.2,  # 100 - 100 * 5 / 39
            }
        ],
    }

    weekly = api_client.get(URL, {**params, "resolution": "week"}).json()
    assert weekly["count"] == 5  # weeks 1, 2, 3 have no commit: omitted
    rows = {row["period_start_date"]: row for row in weekly["results"]}
    assert list(rows) == [week(n).isoformat() for n in (0, 4, 5, 6, 7)]
    impact = {day: r["total_impact"] for day, r in rows.items()}
    assert impact == {
        week(0).isoformat(): 3.5,  # c1: log2(11)
        week(4).isoformat(): 3.2,  # c2: log2(9)
        week(5).isoformat(): 4.4,  # c3 + c4: log2(7) + log2(3), one engineer-week
        week(6).isoformat(): 6.5,  # Ada c5 + c7 (4 + 5.55), Carol c6 (3.48): 13.03 over 2 engineer-weeks
        week(7).isoformat(): 2.0,  # Carol c8 (2), Bob c9 (2): over 2 engineer-weeks
    }
    assert impact[week(6).isoformat()] == round_one_decimal((impacts["c5"] + impacts["c7"] + impacts["c6"]) / 2)
    summary = {day: (r["active_days"], r["commit_count"], r["total_efficiency"]) for day, r in rows.items()}
    assert summary == {
        week(0).isoformat(): (0.3, 1.0, 100.0),  # Ada: 1 day / 3 engineers
        week(4).isoformat(): (0.3, 1.0, 100.0),  # Bob's Sunday evening, in his own time zone
        week(5).isoformat(): (0.3, 2.0, 100.0),  # Ada: 2 commits on 1 day
        week(6).isoformat(): (1.0, 1.0, 72.7),  # Ada 2 days, Carol 1; rework 3 of 11 lines (merge left out)
        week(7).isoformat(): (0.7, 1.0, 0.0),  # Carol and Bob: 2 days, both rework
    }

    mine = api_client.get(URL, {**params, "resolution": "period", "apex_user_id": ada.id}).json()["results"][0]
    # Ada alone: 4 coding days over 8 weeks, 5 commits (1.25 rounds half up), 3 rework of 25 lines.
    assert (mine["active_days"], mine["commit_count"], mine["total_efficiency"]) == (0.5, 1.3, 88.0)


def test_a_merge_resolution_belongs_to_the_merger_and_both_sides_keep_their_lines(organization, tmp_path):
    repo = GitRepo(tmp_path / "conflict")
    repo.write("shared.py", lines("base", 6))
    repo.commit("base", author=ADA, when=at(0, 9))
    repo.branch("side")
    repo.edit("shared.py", 5, 1, ["carol side"])
    repo.edit("shared.py", 1, 1, ["carol conflict"])
    repo.commit("side", author=CAROL, when=at(40, 9))
    repo.checkout("main")
    repo.edit("shared.py", 3, 1, ["bob main"])
    repo.edit("shared.py", 1, 1, ["bob conflict"])
    repo.commit("main", author=BOB, when=at(40, 10))
    with pytest.raises(Exception):  # noqa: B017 - a conflict: git exits non-zero
        repo.merge("side", author=ADA, when=at(41, 9))
    repo.write("shared.py", ["resolved by ada", "base 2", "bob main", "base 4", "carol side", "base 6"])
    repo.commit("merge side", author=ADA, when=at(41, 9))
    # Each author now replaces the line they own after the merge: their own young lines (rework)...
    repo.edit("shared.py", 5, 1, ["carol again"])
    carol_sha = repo.commit("carol again", author=CAROL, when=at(42, 9))
    repo.edit("shared.py", 3, 1, ["bob again"])
    bob_sha = repo.commit("bob again", author=BOB, when=at(42, 10))
    # ... and Carol rewrites the resolution Ada wrote in the merge (help others).
    repo.edit("shared.py", 1, 1, ["carol on top"])
    top_sha = repo.commit("carol on top", author=CAROL, when=at(42, 11))

    git_import(organization=organization, path=str(repo.path), repository_name="conflict")
    split = {c.sha: (c.rework_lines, c.help_others_lines, c.legacy_refactor_lines) for c in Commit.objects.all()}
    assert split[carol_sha] == (1, 0, 0)
    assert split[bob_sha] == (1, 0, 0)
    assert split[top_sha] == (0, 1, 0)


def test_renames_binaries_deletions_and_unusual_paths(organization, tmp_path):
    repo = GitRepo(tmp_path / "odd")
    repo.write("old name.py", lines("ada", 5))
    repo.write('quote"d\\é.txt', lines("q", 2))
    (repo.path / "logo.bin").write_bytes(bytes(range(256)))
    repo.commit("start", author=ADA, when=at(0, 9))
    repo.git("mv", "old name.py", "new name.py")
    repo.edit("new name.py", 2, 1, ["ada two"])
    (repo.path / "logo.bin").write_bytes(bytes(range(255, -1, -1)))
    repo.commit("rename", author=ADA, when=at(1, 9))
    repo.edit("new name.py", 4, 1, ["bob four"])
    (repo.path / 'quote"d\\é.txt').unlink()
    rename_edit = repo.commit("edit and delete", author=BOB, when=at(2, 9))
    (repo.path / "new name.py").chmod(0o755)
    repo.commit("mode only", author=BOB, when=at(2, 10))
    repo.commit("nothing", author=BOB, when=at(3, 9))

    git_import(organization=organization, path=str(repo.path), repository_name="odd")
    numstat = repo.numstat()
    for commit in Commit.objects.all():
        assert (commit.additions, commit.deletions, commit.files) == numstat[commit.sha]
    edit = Commit.objects.get(sha=rename_edit)
    # Ada's renamed line is someone else's young line for Bob; the deleted file was Ada's too.
    assert (edit.help_others_lines, edit.rework_lines, edit.legacy_refactor_lines) == (3, 0, 0)
    mode = Commit.objects.get(message="mode only")
    assert (mode.files, mode.haloc, mode.hunks, mode.impact) == (1, 0, 0, 0)
    empty = Commit.objects.get(message="nothing")
    assert (empty.files, empty.haloc, empty.impact) == (0, 0, 0)


def test_first_parent_imports_the_mainline_and_keeps_merged_authors(organization, history):
    repo, shas = history
    git_import(organization=organization, path=str(repo.path), repository_name="core", first_parent=True)
    imported = set(Commit.objects.values_list("sha", flat=True))
    assert shas["c6"] not in imported  # on the merged branch
    assert {shas["m1"], shas["c7"], shas["c8"]} <= imported
    assert Commit.objects.get(sha=shas["c8"]).rework_lines == 1  # Carol's line, read back with git blame


def test_replay_keeps_only_the_snapshots_still_needed(organization, history):
    repo, _shas = history
    replay = Replay(str(repo.path), AuthorResolver(organization))
    most = 0
    for raw in stream_commits(str(repo.path), ["HEAD"]):
        replay.process(raw)
        most = max(most, replay.live_snapshots)
    assert replay.live_snapshots == 0
    assert most == 2  # main and the topic branch, while both are open


def test_aliases_resolve_one_person_and_review_people_are_reused(organization, tmp_path):
    robert = PersonFactory(organization=organization, email="robert@acme.test")
    PersonAliasFactory(person=robert, value="bob@users.noreply.example")
    resolver = AuthorResolver(organization)
    assert resolver("BOB@users.noreply.example ", "Bob") == robert.id
    assert resolver("Robert@Acme.test", "Robert") == robert.id
    newcomer = resolver("new@elsewhere.test", "New Person")
    assert resolver("NEW@elsewhere.test", "Whoever") == newcomer
    assert AuthorResolver(organization)("new@elsewhere.test", "New") == newcomer  # found again by alias
    nameless = AuthorResolver(organization)("", "Anonymous Coward")
    assert Person.objects.get(id=nameless).needs_review
    assert AuthorResolver(organization)("", "anonymous coward") == nameless


def test_other_organizations_people_are_never_matched(organization, tmp_path):
    stranger = PersonFactory(organization=OrganizationFactory(), email="carol@contractor.test")
    repo = GitRepo(tmp_path / "r")
    repo.write("a.txt", ["a"])
    repo.commit("a", author=CAROL, when=at(0, 9))
    git_import(organization=organization, path=str(repo.path), repository_name="r")
    assert Commit.objects.get().author.organization == organization
    assert Commit.objects.get().author_id != stranger.id


def test_command_imports_with_tags_and_reports(organization, people, history, capsys):
    repo, _shas = history
    call_command("import_git", str(repo.path), "--repository", "core", "--tag", "backend", "--tag", "api")
    out = capsys.readouterr().out
    assert "Repository core: imported 10 commit(s)" in out
    repository = Repository.objects.get(name="core")
    assert sorted(repository.tags.values_list("name", flat=True)) == ["api", "backend"]
    assert RepositoryTag.objects.filter(organization=organization).count() == 2
    call_command("import_git", str(repo.path), "--repository", "core", "--org", organization.slug)
    assert "already up to date" in capsys.readouterr().out


def test_command_errors_are_clear(organization, tmp_path, history):
    repo, _shas = history
    with pytest.raises(CommandError, match="No such directory"):
        call_command("import_git", str(tmp_path / "missing"), "--repository", "x")
    (tmp_path / "plain").mkdir()
    with pytest.raises(CommandError, match="Not a git repository"):
        call_command("import_git", str(tmp_path / "plain"), "--repository", "x")
    with pytest.raises(CommandError):
        call_command("import_git", str(repo.path), "--repository", "x", "--ref", "no-such-branch")
    with pytest.raises(CommandError, match="Not a ref"):
        call_command("import_git", str(repo.path), "--repository", "x", "--ref=--output=/tmp/x")
    with pytest.raises(CommandError, match="at most 200 characters"):
        call_command("import_git", str(repo.path), "--repository", "x" * 201)
    with pytest.raises(CommandError, match="--tag must be at most 200"):
        call_command("import_git", str(repo.path), "--repository", "x", "--tag", "t" * 201)
    with pytest.raises(CommandError, match="--url must be at most 500"):
        call_command("import_git", str(repo.path), "--repository", "x", "--url", "u" * 501)
    with pytest.raises(CommandError, match="No organization"):
        call_command("import_git", str(repo.path), "--repository", "x", "--org", "nope")
    OrganizationFactory()
    with pytest.raises(CommandError, match="--org"):
        call_command("import_git", str(repo.path), "--repository", "x")
    assert not Commit.objects.exists()


def test_an_empty_repository_imports_nothing(organization, tmp_path):
    repo = GitRepo(tmp_path / "empty")
    with pytest.raises(GitImportError):  # HEAD names no commit yet
        git_import(organization=organization, path=str(repo.path), repository_name="empty")
    assert not Commit.objects.exists()
