"""Git import throughput and the coding metrics route against its raw-SQL floor, on PostgreSQL.

    .venv/bin/python bench/coding.py [--commits 50000] [--metrics-commits 200000] [--repeat 15]

1. Generates (once, cached under var/bench/) a git repository of `--commits` commits with
   `git fast-import`: 40 authors in 7 time zones, 300 files edited by replacing, inserting and
   deleting lines, side branches merged back every ~40 commits.
2. Times a bare `git log --numstat` over it, then `import_git` into a fresh repository of the
   `bench-coding` organization (replay of line ownership, writes, rollups), and prints commits per
   second and the ratio of the two, then a re-run on the unchanged repository, then a re-import
   after a force-push (the last five mainline commits squashed into one: the old ones are dropped
   and their days' rollups rewritten). Each import runs in a
   fresh process whose peak memory is printed, beside that of importing a 2,000-commit repository of
   the same tree size: memory follows the size of the tree, not the length of the history.
3. Adds synthetic commits (500 engineers in 50 nested teams, 20 repositories) until the
   organization holds `--metrics-commits`, rebuilds its coding-day rollups (the nightly job), and
   prints the `period_metrics` route's median time beside the median time of the same aggregate
   written by hand in SQL over the rollups (and, for reference, over the raw commits).

DATABASE_URL defaults to a `tally_bench_coding` database.
"""

import argparse
import os
import random
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tally_bench_coding")

from _setup import django_setup, ensure_database, median_seconds

django_setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.models import Organization, Person, Team, TeamMembership  # noqa: E402
from accounts.services import api_key_create, team_create  # noqa: E402
from coding.models import Commit, Repository, RepositoryTag  # noqa: E402
from coding.services.git import git_import  # noqa: E402
from coding.services.rollups import coding_days_refresh  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "var" / "bench"
ORG = "bench-coding"
OFFSETS = ["-0800", "-0500", "+0000", "+0100", "+0200", "+0530", "+0900"]
WORDS = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu"]


# --- the generated repository -----------------------------------------------------------------


class _Stream:
    """Writes a git fast-import stream."""

    def __init__(self, out):
        self.out = out
        self.mark = 0

    def data(self, payload: bytes) -> None:
        self.out.write(b"data %d\n" % len(payload))
        self.out.write(payload)
        self.out.write(b"\n")

    def commit(self, ref: str, author: tuple[str, str, str], when: int, message: str, *, parents, files) -> int:
        self.mark += 1
        name, email, offset = author
        self.out.write(f"commit {ref}\nmark :{self.mark}\n".encode())
        self.out.write(
            f"author {name} <{email}> {when} {offset}\ncommitter {name} <{email}> {when} {offset}\n".encode()
        )
        self.data(message.encode())
        if parents:
            self.out.write(f"from :{parents[0]}\n".encode())
            for parent in parents[1:]:
                self.out.write(f"merge :{parent}\n".encode())
        for path, lines in files.items():
            self.out.write(f"M 100644 inline {path}\n".encode())
            self.data("".join(f"{line}\n" for line in lines).encode())
        return self.mark


def _edit(rng: random.Random, lines: list[str], tag: str) -> list[str]:
    """One to three random edits: replace, insert or delete a few lines."""
    lines = list(lines)
    for _ in range(rng.randint(1, 3)):
        size = rng.randint(1, 8)
        at = rng.randint(0, max(len(lines) - 1, 0))
        new = [f"{tag} {rng.choice(WORDS)} {rng.randrange(10**6)}" for _ in range(size)]
        kind = rng.random()
        if kind < 0.5 and lines:
            lines[at : at + size] = new
        elif kind < 0.8 or len(lines) < 20:
            lines[at:at] = new
        else:
            del lines[at : at + size]
    return lines


def generate_repository(path: Path, commits: int, seed: int = 7) -> None:
    """A repository of `commits` commits (merges included), written with git fast-import."""
    rng = random.Random(seed)
    authors = [(f"Dev {i}", f"dev{i}@bench.test", OFFSETS[i % len(OFFSETS)]) for i in range(40)]
    files = {f"src/module{i // 30}/file{i}.py": [f"seed {i} {n}" for n in range(40)] for i in range(300)}
    start = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp())
    step = (int(datetime.now(UTC).timestamp()) - 86400 - start) // commits
    subprocess.run(["git", "init", "-q", "--bare", str(path)], check=True)
    process = subprocess.Popen(["git", "-C", str(path), "fast-import", "--quiet"], stdin=subprocess.PIPE)
    stream = _Stream(process.stdin)
    main = None
    made = 0
    when = start
    while made < commits:
        if main is not None and made % 40 == 39 and commits - made >= 6:
            # A side branch of three commits on its own files, main moving on meanwhile, then a merge.
            side_files = {name: files[name] for name in rng.sample(sorted(files), 3)}
            side = main
            for _ in range(3):
                when += step
                name = rng.choice(sorted(side_files))
                side_files[name] = _edit(rng, side_files[name], "side")
                side = stream.commit(
                    "refs/heads/side",
                    rng.choice(authors),
                    when,
                    "side work",
                    parents=[side],
                    files={name: side_files[name]},
                )
                made += 1
            when += step
            name = rng.choice(sorted(set(files) - set(side_files)))
            files[name] = _edit(rng, files[name], "main")
            main = stream.commit(
                "refs/heads/main", rng.choice(authors), when, "main work", parents=[main], files={name: files[name]}
            )
            when += step
            files.update(side_files)
            main = stream.commit(
                "refs/heads/main", rng.choice(authors), when, "Merge side", parents=[main, side], files=side_files
            )
            made += 2
            continue
        when += step
        touched = {}
        for name in rng.sample(sorted(files), rng.choice([1, 1, 1, 2, 2, 3])):
            files[name] = touched[name] = _edit(rng, files[name], f"c{made}")
        main = stream.commit(
            "refs/heads/main",
            rng.choice(authors),
            when,
            f"change {made}",
            parents=[main] if main else [],
            files=touched,
        )
        made += 1
    process.stdin.close()
    if process.wait() != 0:
        raise SystemExit("git fast-import failed")
    subprocess.run(["git", "-C", str(path), "symbolic-ref", "HEAD", "refs/heads/main"], check=True)
    subprocess.run(["git", "-C", str(path), "branch", "-q", "-D", "side"], check=False)


def repository_path(commits: int) -> Path:
    path = CACHE / f"coding-{commits}.git"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        print(f"generating a repository of {commits} commits in {path} ...", flush=True)
        started = time.perf_counter()
        generate_repository(path, commits)
        print(f"  done in {time.perf_counter() - started:.0f}s", flush=True)
    return path


CHILD = """
import resource, sys
sys.path.insert(0, sys.argv[1])
from _setup import django_setup
django_setup()
from accounts.models import Organization
from coding.models import Repository
from coding.services.git import git_import
organization = Organization.objects.get(slug=sys.argv[2])
Repository.objects.filter(organization=organization, name=sys.argv[4]).delete()
try:  # the deletion above loads the old commits; measure the import's own peak
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")
except OSError:
    pass
summary = git_import(organization=organization, path=sys.argv[3], repository_name=sys.argv[4])
walked = summary.created + summary.updated + summary.unchanged
try:
    peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
except (OSError, StopIteration):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(summary.seconds, walked, peak // 1024)
"""


def import_in_child(path: Path, name: str) -> tuple[float, int, int]:
    """Import in a fresh process: (seconds, commits, peak resident memory in MB of that process)."""
    output = subprocess.run(
        [sys.executable, "-c", CHILD, str(Path(__file__).resolve().parent), ORG, str(path), name],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return float(output[0]), int(output[1]), int(output[2])


def force_push(path: Path) -> tuple[str, int]:
    """A ref `bench-rewritten`: the last five mainline commits squashed into one, as after a
    force-push. Returns the ref and how many commits the old tip reaches that the new one does not."""
    identity = {"GIT_AUTHOR_NAME": "Dev 1", "GIT_AUTHOR_EMAIL": "dev1@bench.test", "GIT_COMMITTER_NAME": "Dev 1",
                "GIT_COMMITTER_EMAIL": "dev1@bench.test"}  # fmt: skip
    git = ["git", "-C", str(path)]
    squashed = subprocess.run(
        [*git, "commit-tree", "HEAD^{tree}", "-p", "HEAD~5", "-m", "squashed"],
        env={**os.environ, **identity}, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    ref = "refs/heads/bench-rewritten"
    subprocess.run([*git, "update-ref", ref, squashed], check=True)
    left = subprocess.run([*git, "rev-list", "--count", "HEAD", "--not", ref], capture_output=True, text=True)
    return ref, int(left.stdout)


def _timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


# --- synthetic commits for the metrics route --------------------------------------------------


def _synthetic_people(organization: Organization) -> list[int]:
    """500 engineers in 50 teams: 5 roots, each with 3 children, each with 2 grandchildren."""
    if Team.objects.filter(organization=organization).exists():
        return list(
            Person.objects.filter(organization=organization, email__endswith="@synthetic.test").values_list(
                "id", flat=True
            )
        )
    teams = []
    for r in range(5):
        root = team_create(organization=organization, name=f"Root {r}")
        teams.append(root)
        for c in range(3):
            child = team_create(organization=organization, name=f"Team {r}.{c}", parent=root)
            teams.append(child)
            teams += [team_create(organization=organization, name=f"Team {r}.{c}.{g}", parent=child) for g in range(2)]
    people = Person.objects.bulk_create(
        [
            Person(
                organization=organization,
                name=f"Engineer {i}",
                email=f"e{i}@synthetic.test",
                hidden_from_reports=i % 50 == 0,
            )
            for i in range(500)
        ]
    )
    TeamMembership.objects.bulk_create(
        [TeamMembership(organization=organization, team=teams[i % len(teams)], person=p) for i, p in enumerate(people)]
    )
    return [p.id for p in people]


def add_synthetic_commits(organization: Organization, total: int) -> None:
    """Engineers, teams and tagged repositories (once), then commits until the organization has `total`."""
    people = _synthetic_people(organization)
    tags = [RepositoryTag.objects.get_or_create(organization=organization, name=f"tag{i}")[0] for i in range(5)]
    repos = []
    for i in range(20):
        repo, _ = Repository.objects.get_or_create(organization=organization, name=f"synthetic-{i:02d}")
        repo.tags.add(tags[i % 5])
        repos.append(repo)
    have = Commit.objects.filter(organization=organization).count()
    if have >= total:
        return
    rng = random.Random(have)
    today = datetime.now(UTC).date()
    print(f"adding {total - have} synthetic commits ...", flush=True)
    batch = []
    made = 0
    while made < total - have:
        # A coding day: one engineer, 1 to 6 commits, mostly in one repository.
        person = rng.choice(people)
        day = today - timedelta(days=rng.randrange(730))
        offset = rng.choice([-480, -300, 0, 60, 120, 330])
        repos_today = rng.sample(repos, 2 if rng.random() < 0.2 else 1)
        for _ in range(min(rng.randint(1, 6), total - have - made)):
            haloc = rng.randint(1, 120)
            rework = rng.randint(0, haloc // 3)
            authored = datetime(day.year, day.month, day.day, rng.randrange(24), tzinfo=UTC)
            batch.append(
                Commit(
                    organization=organization,
                    repository=rng.choice(repos_today),
                    sha=f"{have + made:040x}",
                    author_id=person,
                    authored_at=authored,
                    author_utc_offset_minutes=offset,
                    authored_local_date=(authored + timedelta(minutes=offset)).date(),
                    additions=haloc,
                    deletions=rework,
                    files=rng.randint(1, 5),
                    hunks=rng.randint(1, 8),
                    is_merge=rng.random() < 0.05,
                    haloc=haloc,
                    rework_lines=rework,
                    new_work_lines=haloc - rework,
                    impact=rng.uniform(1, 60),
                )
            )
            made += 1
        if len(batch) >= 5000:
            Commit.objects.bulk_create(batch)
            batch = []
    Commit.objects.bulk_create(batch)


# --- raw SQL floors ---------------------------------------------------------------------------

ROLLUP_SQL = """
WITH person_weeks AS (
    SELECT date_trunc('week', d.day)::date AS week, d.person_id, COUNT(DISTINCT d.day) AS days,
           SUM(d.commits) AS commits, SUM(d.haloc) AS haloc, SUM(d.rework_lines) AS rework, SUM(d.impact) AS impact
    FROM metrics_personcodingday d JOIN accounts_person p ON p.id = d.person_id
    WHERE d.organization_id = %(org)s AND NOT p.hidden_from_reports AND d.day BETWEEN %(start)s AND %(end)s {where}
    GROUP BY 1, 2)
SELECT week, COUNT(*), SUM(days), SUM(commits), SUM(haloc), SUM(rework), SUM(impact),
       (SELECT COUNT(DISTINCT person_id) FROM person_weeks)
FROM person_weeks GROUP BY week ORDER BY week
"""
COMMIT_SQL = """
WITH person_weeks AS (
    SELECT date_trunc('week', c.authored_local_date)::date AS week, c.author_id,
           COUNT(DISTINCT c.authored_local_date) AS days, COUNT(*) AS commits, SUM(c.haloc) AS haloc,
           SUM(c.rework_lines) AS rework, SUM(c.impact) AS impact
    FROM coding_commit c JOIN accounts_person p ON p.id = c.author_id
    WHERE c.organization_id = %(org)s AND NOT c.is_merge AND NOT p.hidden_from_reports
      AND c.authored_local_date BETWEEN %(start)s AND %(end)s {where}
    GROUP BY 1, 2)
SELECT week, COUNT(*), SUM(days), SUM(commits), SUM(haloc), SUM(rework), SUM(impact),
       (SELECT COUNT(DISTINCT author_id) FROM person_weeks)
FROM person_weeks GROUP BY week ORDER BY week
"""
TEAM_WHERE = """AND {person} IN (
    SELECT tm.person_id FROM accounts_teammembership tm JOIN accounts_team t ON t.id = tm.team_id
    WHERE tm.organization_id = %(org)s AND (t.id = %(team)s OR t.path LIKE %(prefix)s))"""
TAG_WHERE = """AND {repository} IN (
    SELECT rt.repository_id FROM coding_repository_tags rt WHERE rt.repositorytag_id = %(tag)s)"""


def raw(sql: str, params: dict):
    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--commits", type=int, default=50_000)
    parser.add_argument("--metrics-commits", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    ensure_database()
    organization, _ = Organization.objects.get_or_create(slug=ORG, defaults={"name": "Bench coding"})
    path = repository_path(args.commits)

    # 1. git import against a bare `git log --numstat`
    numstat = min(_timed(["git", "-C", str(path), "log", "--numstat"]) for _ in range(2))
    replay_log = _timed(
        [
            "git",
            "-C",
            str(path),
            "log",
            "--pretty=raw",
            "--children",
            "--topo-order",
            "--reverse",
            "--diff-merges=first-parent",
            "-p",
            "-U0",
            "-M",
            "--full-index",
        ]
    )
    name = f"git-{args.commits}"
    seconds, walked, peak = import_in_child(path, name)
    small_seconds, small_walked, small_peak = import_in_child(repository_path(2000), "git-2000")
    again = git_import(organization=organization, path=str(path), repository_name=name)
    ref, left_behind = force_push(path)
    try:
        forced = git_import(organization=organization, path=str(path), repository_name=name, refs=[ref])
    finally:
        subprocess.run(["git", "-C", str(path), "update-ref", "-d", ref], check=True)
    print(f"\ngit import of {walked} commits ({path.name}), PostgreSQL")
    print(f"  git log --numstat                      {numstat:8.2f} s")
    print(f"  git log as import_git runs it (-p -U0) {replay_log:8.2f} s")
    rate, ratio = walked / seconds, seconds / numstat
    print(f"  import_git (replay, writes, rollups)   {seconds:8.2f} s   {rate:8.0f} commits/s   {ratio:5.1f} x")
    print(f"  import_git again, unchanged            {again.seconds:8.2f} s   (up to date: {again.up_to_date})")
    print(
        f"  import_git after a force-push          {forced.seconds:8.2f} s   (5 mainline commits squashed: "
        f"{forced.created} created, {forced.dropped} dropped of {left_behind} left behind, "
        f"{forced.coding_days} rollups rewritten)"
    )
    print(
        f"  peak memory of the importing process: {peak} MB ({walked} commits), {small_peak} MB "
        f"({small_walked} commits, {small_seconds:.1f} s)"
    )

    # 2. the metrics route at scale
    add_synthetic_commits(organization, args.metrics_commits)
    started = time.perf_counter()
    rollups = coding_days_refresh(organization_id=organization.id)
    rebuild = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    commits = Commit.objects.filter(organization=organization).count()
    _, key = api_key_create(organization=organization, email="bench@bench.test")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    end = date.today()
    start = end - timedelta(days=364)
    root = Team.objects.filter(organization=organization, parent=None).order_by("id").first()
    tag = RepositoryTag.objects.filter(organization=organization, name="tag1").first()
    params = {
        "org": organization.id,
        "start": start,
        "end": end,
        "team": root.id,
        "prefix": f"{root.path}.%",
        "tag": tag.id,
    }
    base = f"/v3/customer/metrics/code_fundamentals/period_metrics/?start_date={start}&end_date={end}"
    scenarios = [
        ("one year, resolution=period", f"{base}&resolution=period", ""),
        ("one year, resolution=week", f"{base}&resolution=week", ""),
        (
            "root team + nested, week",
            f"{base}&resolution=week&team_id={root.id}&include_nested_teams=true",
            TEAM_WHERE,
        ),
        ("repo tag, week", f"{base}&resolution=week&repo_tag_id={tag.id}", TAG_WHERE),
    ]
    print(
        f"\nperiod_metrics: {commits} commits, {rollups} coding-day rollups (rebuilt in {rebuild:.1f}s), "
        f"median of {args.repeat} runs"
    )
    print(f"{'scenario':32} {'route ms':>9} {'SQL rollups ms':>15} {'ratio':>6} {'SQL commits ms':>15}")
    for label, url, where in scenarios:
        response = client.get(url)
        assert response.status_code == 200, response.content[:300]
        rollup_where = where.format(person="d.person_id", repository="d.repository_id")
        commit_where = where.format(person="c.author_id", repository="c.repository_id")
        route = median_seconds(lambda url=url: client.get(url), repeat=args.repeat)
        floor = median_seconds(raw(ROLLUP_SQL.format(where=rollup_where), params), repeat=args.repeat)
        direct = median_seconds(raw(COMMIT_SQL.format(where=commit_where), params), repeat=max(args.repeat // 3, 3))
        print(f"{label:32} {route * 1000:9.1f} {floor * 1000:15.1f} {route / floor:6.2f} {direct * 1000:15.1f}")


if __name__ == "__main__":
    sys.exit(main())
