"""Importing a repository again: incremental runs (only new commits, same numbers as a fresh
import), a re-run on an unchanged repository (nothing added, no history walked), `--full`, and
history rewrites (force-push, amend, deleted branch): the commits no longer reachable from the
imported refs are dropped and the rollups of their days rewritten."""

import subprocess
import time
from datetime import UTC, datetime

import pytest
from django.core.management import call_command

from accounts.models import Person, PersonAlias
from coding.git import GitError
from coding.models import Commit, Deployment, DeploymentCommit, PersonCodingDay, Repository, RepositoryTag
from coding.services.commits import GitImportError
from coding.services.git import git_import
from coding.services.rollups import coding_days_refresh
from tests.support.coding_rows import DeploymentFactory, commit
from tests.support.git_scenario import ADA, BOB, CAROL, at, build_rest, build_until_c5, lines, week
from tests.support.gitrepo import GitRepo

pytestmark = pytest.mark.django_db
URL = "/v3/customer/metrics/code_fundamentals/period_metrics/"
NUMBERS = [
    "additions", "deletions", "files", "hunks", "haloc", "new_work_lines", "rework_lines", "help_others_lines",
    "legacy_refactor_lines", "impact", "author_id", "authored_local_date", "is_merge",
]  # fmt: skip
ROLLUP_SUMS = [
    "commits", "additions", "deletions", "haloc", "new_work_lines", "rework_lines", "help_others_lines",
    "legacy_refactor_lines", "impact",
]  # fmt: skip


def commits_of(name: str) -> dict[str, dict]:
    rows = Commit.objects.filter(repository__name=name).values("sha", *NUMBERS)
    return {row.pop("sha"): row for row in rows}


def rollups_of(name: str) -> dict[tuple, tuple]:
    rows = PersonCodingDay.objects.filter(repository__name=name).values_list("person_id", "day", *ROLLUP_SUMS)
    return {(row[0], row[1]): row[2:] for row in rows}


def reachable(repo: GitRepo, *options: str) -> set[str]:
    return set(repo.git("rev-list", *options, "HEAD").split())


def forget_unreachable(repo: GitRepo) -> None:
    """Remove unreachable objects, as a fresh clone (or git gc after the reflog expires) would."""
    repo.git("reflog", "expire", "--expire=now", "--all")
    repo.git("gc", "-q", "--prune=now")


def fail(*args, **kwargs):
    raise AssertionError("must not be called")


def test_incremental_import_adds_only_new_commits_with_the_same_numbers(organization, people, tmp_path, monkeypatch):
    repo = GitRepo(tmp_path / "core")
    shas = build_until_c5(repo)
    first = git_import(organization=organization, path=str(repo.path), repository_name="core")
    assert first.created == 5
    repository = Repository.objects.get(name="core")
    assert repository.last_imported_sha == shas["c5"]
    assert repository.imported_heads == [shas["c5"]]

    shas.update(build_rest(repo))
    monkeypatch.setattr("coding.services.git.unreachable_commits_drop", fail)  # a fast-forward drops nothing
    second = git_import(organization=organization, path=str(repo.path), repository_name="core")
    assert (second.created, second.updated, second.unchanged, second.dropped) == (5, 0, 0, 0)

    # The same history imported in one go gives the same numbers: the incremental run read the
    # ownership of the already-imported lines back from git blame.
    git_import(organization=organization, path=str(repo.path), repository_name="again")
    assert commits_of("core") == commits_of("again")
    assert rollups_of("core") == rollups_of("again")
    assert commits_of("core")[shas["c8"]]["rework_lines"] == 1


def test_rerun_on_an_unchanged_repository_adds_nothing_and_finishes_in_seconds(
    organization, people, history, monkeypatch, capsys
):
    repo, _shas = history
    call_command("import_git", str(repo.path), "--repository", "core", "--tag", "backend")

    def snapshot():
        return {
            "commits": list(Commit.objects.order_by("id").values()),
            "rollups": list(PersonCodingDay.objects.order_by("id").values()),
            "people": list(Person.objects.order_by("id").values()),
            "aliases": list(PersonAlias.objects.order_by("id").values()),
            "tags": list(RepositoryTag.objects.order_by("id").values()),
            "repositories": list(Repository.objects.order_by("id").values()),
        }

    before = snapshot()
    capsys.readouterr()
    # Nothing walks the history again: no git log, no git blame, no git rev-list over the commits.
    monkeypatch.setattr("coding.services.git.stream_commits", fail)
    monkeypatch.setattr("coding.services.reachability.stream_reachable", fail)
    monkeypatch.setattr("coding.replay.BlameBase._blame", fail)
    started = time.perf_counter()
    call_command("import_git", str(repo.path), "--repository", "core", "--tag", "backend")
    elapsed = time.perf_counter() - started
    assert "already up to date" in capsys.readouterr().out
    assert elapsed < 5
    assert snapshot() == before
    assert len(before["commits"]) == 10


def test_full_rerun_updates_only_what_changed(organization, people, history):
    repo, shas = history
    git_import(organization=organization, path=str(repo.path), repository_name="core")
    summary = git_import(organization=organization, path=str(repo.path), repository_name="core", full=True)
    assert (summary.created, summary.updated, summary.unchanged, summary.dropped) == (0, 0, 10, 0)

    Commit.objects.filter(sha=shas["c7"]).update(rework_lines=0)
    summary = git_import(organization=organization, path=str(repo.path), repository_name="core", full=True)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 9)
    assert Commit.objects.get(sha=shas["c7"]).rework_lines == 3


def _force_push(repo: GitRepo, shas: dict[str, str]) -> str:
    """Main goes back to the merge (Carol's and Bob's week-7 commits c8 and c9 are thrown away),
    then Ada rewrites one of Carol's 7-day-old lines of app.py (help others)."""
    repo.git("reset", "-q", "--hard", shas["m1"])
    repo.edit("app.py", 3, 1, ["ada three"])
    return repo.commit("ada helps", author=ADA, when=at(51, 10, +2))


@pytest.mark.parametrize("gone", [False, True], ids=["old-tip-still-in-the-repository", "old-tip-garbage-collected"])
def test_a_force_push_drops_the_commits_no_longer_reachable(organization, people, history, api_client, gone):
    repo, shas = history
    git_import(organization=organization, path=str(repo.path), repository_name="core")
    params = {"start_date": week(0).isoformat(), "end_date": at(55, 0).date().isoformat(), "resolution": "week"}
    before = api_client.get(URL, params).json()["results"][-1]
    assert (before["period_start_date"], before["active_days"], before["total_efficiency"]) == (
        week(7).isoformat(), 0.7, 0.0,
    )  # fmt: skip

    new = _force_push(repo, shas)
    if gone:
        forget_unreachable(repo)
        with pytest.raises(subprocess.CalledProcessError):
            repo.git("cat-file", "-e", shas["c9"])
    summary = git_import(organization=organization, path=str(repo.path), repository_name="core")

    # The old tip gone, the whole history is walked again; otherwise only what it does not reach.
    assert (summary.created, summary.updated, summary.unchanged, summary.dropped) == (1, 0, 8 if gone else 0, 2)
    assert set(commits_of("core")) == reachable(repo)
    assert shas["c8"] not in commits_of("core") and shas["c9"] not in commits_of("core")
    ada_helps = Commit.objects.get(sha=new)
    split = (ada_helps.new_work_lines, ada_helps.rework_lines, ada_helps.help_others_lines)
    assert (split, ada_helps.legacy_refactor_lines, ada_helps.impact) == ((0, 0, 1), 0, 2.0)
    # Week 7 is now Ada's one coding day (of 3 engineers), one commit, helping Carol: no rework.
    assert api_client.get(URL, params).json()["results"][-1] == {
        "period_start_date": week(7).isoformat(),
        "active_days": 0.3,
        "commit_count": 1.0,
        "total_impact": 2.0,
        "total_efficiency": 100.0,
    }
    # The rollups are those of a fresh import of the rewritten history: day 50 (Carol's and Bob's
    # dropped commits) is gone, Ada's day 51 is there.
    assert sorted({day for _person, day in rollups_of("core")})[-2:] == [at(44, 0).date(), at(51, 0).date()]
    git_import(organization=organization, path=str(repo.path), repository_name="again")
    assert commits_of("core") == commits_of("again")
    assert rollups_of("core") == rollups_of("again")


def test_an_amended_tip_replaces_the_old_commit(organization, people, history):
    repo, shas = history
    git_import(organization=organization, path=str(repo.path), repository_name="core")
    repo.edit("app.py", 1, 1, ["bob amended"])
    repo.git("add", "-A")
    repo.git("commit", "-q", "--amend", "-m", "bob rework, amended", env=GitRepo._identity(BOB, at(50, 18, -5)))
    summary = git_import(organization=organization, path=str(repo.path), repository_name="core")
    assert (summary.created, summary.updated, summary.dropped) == (1, 0, 1)
    assert set(commits_of("core")) == reachable(repo)
    assert shas["c9"] not in commits_of("core") and commits_of("core")[repo.head()]["rework_lines"] == 1
    assert Repository.objects.get(name="core").imported_heads == [repo.head()]
    # An unknown old tip is treated as a rewrite: the history is walked again, nothing added twice.
    Repository.objects.filter(name="core").update(imported_heads=["0" * 40])
    summary = git_import(organization=organization, path=str(repo.path), repository_name="core")
    assert (summary.created, summary.updated, summary.unchanged, summary.dropped) == (0, 0, 10, 0)


def test_a_first_parent_import_drops_what_its_mainline_no_longer_reaches(organization, people, history):
    repo, shas = history
    git_import(organization=organization, path=str(repo.path), repository_name="core", first_parent=True)
    assert set(commits_of("core")) == reachable(repo, "--first-parent")
    repo.git("reset", "-q", "--hard", shas["c7"])  # before the merge: m1, c8 and c9 go
    repo.edit("feature.py", 1, 1, ["feature again"])
    repo.commit("after the reset", author=ADA, when=at(51, 10, +2))
    summary = git_import(organization=organization, path=str(repo.path), repository_name="core", first_parent=True)
    assert (summary.created, summary.dropped) == (1, 3)
    assert set(commits_of("core")) == reachable(repo, "--first-parent")
    git_import(organization=organization, path=str(repo.path), repository_name="again", first_parent=True)
    assert rollups_of("core") == rollups_of("again")


def test_a_deleted_branch_drops_its_commits(organization, tmp_path):
    repo = GitRepo(tmp_path / "spiky")
    repo.write("main.py", lines("main", 3))
    repo.commit("main", author=ADA, when=at(0, 9))
    repo.branch("spike")
    repo.write("spike.py", lines("spike", 4))
    spike = repo.commit("spike", author=CAROL, when=at(3, 9))
    repo.checkout("main")
    git_import(organization=organization, path=str(repo.path), repository_name="spiky", refs=["--all"])
    assert spike in commits_of("spiky")
    carol = Commit.objects.get(sha=spike).author_id
    assert PersonCodingDay.objects.filter(person_id=carol).exists()

    repo.git("branch", "-q", "-D", "spike")
    summary = git_import(organization=organization, path=str(repo.path), repository_name="spiky", refs=["--all"])
    assert (summary.created, summary.dropped) == (0, 1)
    assert set(commits_of("spiky")) == reachable(repo)
    assert not PersonCodingDay.objects.filter(person_id=carol).exists()


def test_full_drops_stored_commits_git_does_not_reach(organization, people, history):
    repo, _shas = history
    git_import(organization=organization, path=str(repo.path), repository_name="core")
    repository = Repository.objects.get(name="core")
    stray = commit(people["bob"], repository, at(60, 12).date(), haloc=7)  # e.g. from a bundle
    deployment = DeploymentFactory(
        repository=repository, deployed_at=datetime(2024, 6, 4, tzinfo=UTC), shipped=[stray]
    )
    coding_days_refresh(organization_id=organization.id)
    assert PersonCodingDay.objects.filter(person=people["bob"], day=stray.authored_local_date).exists()

    summary = git_import(organization=organization, path=str(repo.path), repository_name="core", full=True)
    assert (summary.created, summary.unchanged, summary.dropped) == (0, 10, 1)
    assert not Commit.objects.filter(id=stray.id).exists()
    assert not PersonCodingDay.objects.filter(person=people["bob"], day=stray.authored_local_date).exists()
    assert Deployment.objects.filter(id=deployment.id).exists()  # the deployment stays, without the link
    assert not DeploymentCommit.objects.exists()


def test_a_failure_while_dropping_leaves_everything_as_it_was(organization, people, history, monkeypatch):
    repo, shas = history
    git_import(organization=organization, path=str(repo.path), repository_name="core")
    commits, rollups = commits_of("core"), rollups_of("core")
    _force_push(repo, shas)

    def broken(*args, **kwargs):
        yield repo.head()
        raise GitError("git rev-list failed: disk on fire")

    monkeypatch.setattr("coding.services.reachability.stream_reachable", broken)
    with pytest.raises(GitImportError, match="disk on fire"):
        git_import(organization=organization, path=str(repo.path), repository_name="core")
    assert commits_of("core") == commits and rollups_of("core") == rollups
    assert Repository.objects.get(name="core").imported_heads == [shas["c9"]]
