"""Demo repositories (with tags), commits (on workdays in each author's own time zone, some
merges, some with rework / help-others / legacy-refactor numbers, a few by an unknown bot),
pull requests and deployments (some failing, some causing incidents)."""

import hashlib
import random
from bisect import bisect_right
from datetime import datetime, timedelta, timezone

from imports.demo.tickets import THINGS, VERBS, timestamp

REPOSITORIES = (
    ("core-api", ("backend",)),
    ("web-app", ("frontend",)),
    ("data-pipeline", ("backend", "data")),
    ("infra", ("infra",)),
    ("mobile-app", ("frontend", "mobile")),
    ("docs", ()),
)
TAG_IDS = {"backend": 5101, "frontend": 5102, "data": 5103, "infra": 5104, "mobile": 5105}
DEPLOYED_REPOSITORIES = 3


def coding_sections(
    rng: random.Random, *, slug: str, seed: int, tickets: int, start: datetime, now: datetime,
    engineers: list[int], utc_offsets: dict[int, int], people: list[dict], id_offset: int,
) -> dict[str, list]:  # fmt: skip
    """The repositories, commits, pull_requests and deployments sections of the demo bundle."""
    repository_count = min(len(REPOSITORIES), 4 + tickets // 20000)
    repositories = [
        {
            "id": id_offset + 300 + index, "name": name, "url": f"https://git.{slug}.test/{name}",
            "tags": [{"id": id_offset + TAG_IDS[tag], "name": tag} for tag in tags],
        }
        for index, (name, tags) in enumerate(REPOSITORIES[:repository_count])
    ]  # fmt: skip
    repository_ids = [repository["id"] for repository in repositories]
    timed_commits = _commits(
        rng, slug=slug, seed=seed, count=max(200, tickets // 2), start=start, now=now,
        repository_ids=repository_ids, engineers=engineers, utc_offsets=utc_offsets, people=people,
    )  # fmt: skip
    return {
        "repositories": repositories,
        "commits": [commit for _moment, commit in timed_commits],
        "pull_requests": _pull_requests(
            rng,
            count=max(30, len(timed_commits) // 3),
            start=start,
            now=now,
            repository_ids=repository_ids,
            engineers=engineers,
            first_id=id_offset + 40001,
        ),
        "deployments": _deployments(
            rng,
            timed_commits=timed_commits,
            start=start,
            now=now,
            repository_ids=repository_ids,
            first_id=id_offset + 60001,
        ),
    }


def _commits(
    rng: random.Random, *, slug: str, seed: int, count: int, start: datetime, now: datetime,
    repository_ids: list[int], engineers: list[int], utc_offsets: dict[int, int], people: list[dict],
) -> list[tuple[datetime, dict]]:  # fmt: skip
    """Commits as (UTC time, bundle commit), sorted by time."""
    addresses = {person["id"]: [person["email"], *person["aliases"]] for person in people}
    days = (now - start).days
    weights = [len(repository_ids) - index for index in range(len(repository_ids))]
    result = []
    for index in range(count):
        bot = rng.random() < 0.02
        author = rng.choice(engineers)
        offset = 0 if bot else utc_offsets[author]
        day = start + timedelta(days=rng.randrange(days - 1))
        if day.weekday() >= 5:
            day -= timedelta(days=day.weekday() - 4)
        local = day.replace(tzinfo=timezone(timedelta(minutes=offset))) + timedelta(
            minutes=rng.randint(8 * 60, 19 * 60)
        )
        moment = local.astimezone(start.tzinfo)
        if moment >= now:
            moment, local = moment - timedelta(days=7), local - timedelta(days=7)
        email = f"renovate-bot@ci.{slug}.test" if bot else rng.choice(addresses[author])
        commit = {
            "repository": rng.choices(repository_ids, weights)[0],
            "sha": hashlib.sha1(f"{slug}:{seed}:{index}".encode(), usedforsecurity=False).hexdigest(),
            "author_email": email,
            "authored_at": local.isoformat(timespec="seconds"),
        }
        if rng.random() < 0.06:
            commit.update(
                {"message": "Merge branch 'main'", "additions": 0, "deletions": 0, "files": 0, "merge": True}
            )
        else:
            commit.update(_commit_lines(rng))
        result.append((moment, commit))
    result.sort(key=lambda item: (item[0], item[1]["sha"]))
    return result


def _commit_lines(rng: random.Random) -> dict:
    """Line counts and, for some commits, precomputed classifications and an impact score."""
    additions = int(rng.lognormvariate(3.3, 1.0)) + 1
    deletions = int(additions * rng.uniform(0, 0.6))
    files = min(40, 1 + int(rng.lognormvariate(0.7, 0.7)))
    lines = {
        "message": f"{rng.choice(VERBS)} {rng.choice(THINGS)}",
        "additions": additions, "deletions": deletions, "files": files,
        "hunks": files + rng.randint(0, 2 * files), "merge": False,
    }  # fmt: skip
    if rng.random() < 0.4:
        rework = min(additions, int(deletions * rng.uniform(0.2, 0.9)) + rng.randint(0, 5))
        help_others = int(additions * rng.uniform(0, 0.3)) if rng.random() < 0.25 else 0
        legacy = int(deletions * rng.uniform(0, 0.5)) if rng.random() < 0.4 else 0
        lines.update({"rework_lines": rework, "help_others_lines": help_others, "legacy_refactor_lines": legacy})
        size = (additions + deletions) ** 0.5
        lines["impact"] = round(size * (1 + 0.1 * files) * (1 + legacy / max(additions + deletions, 1)), 2)
    return lines


def _pull_requests(
    rng: random.Random, *, count: int, start: datetime, now: datetime, repository_ids: list[int], engineers: list[int],
    first_id: int,
) -> list[dict]:  # fmt: skip
    """Pull requests numbered per repository in order of creation: most merged after a review,
    some closed unmerged, recent ones still open."""
    seconds = (now - start).total_seconds()
    drafts = sorted(
        (start + timedelta(seconds=rng.uniform(0, seconds)), rng.choice(repository_ids)) for _ in range(count)
    )
    numbers = dict.fromkeys(repository_ids, 0)
    result = []
    for index, (created, repository_id) in enumerate(drafts):
        numbers[repository_id] += 1
        review = created + timedelta(hours=rng.expovariate(1 / 6)) if rng.random() < 0.85 else None
        fate = rng.random()
        merged = (review or created) + timedelta(hours=rng.expovariate(1 / 12)) if fate < 0.8 else None
        closed = created + timedelta(hours=rng.expovariate(1 / 48)) if 0.8 <= fate < 0.9 else None

        def until_now(moment: datetime | None) -> str | None:
            return timestamp(moment) if moment is not None and moment < now else None

        additions = int(rng.lognormvariate(4, 1.1)) + 1
        result.append(
            {
                "id": first_id + index, "repository": repository_id, "number": numbers[repository_id],
                "author": rng.choice(engineers), "title": f"{rng.choice(VERBS)} {rng.choice(THINGS)}",
                "created_at": timestamp(created),
                "first_commit_at": timestamp(created - timedelta(hours=rng.expovariate(1 / 8))),
                "first_review_at": until_now(review), "merged_at": until_now(merged), "closed_at": until_now(closed),
                "additions": additions, "deletions": int(additions * rng.uniform(0, 0.5)),
                "commits": rng.randint(1, 8),
            }
        )  # fmt: skip
    return result


def _deployments(
    rng: random.Random, *, timed_commits: list[tuple[datetime, dict]], start: datetime, now: datetime,
    repository_ids: list[int], first_id: int,
) -> list[dict]:  # fmt: skip
    """Production deployments of the service repositories on most workdays (and staging for the
    first one), each shipping the commits authored since the previous one."""
    result = []
    for repository_id in repository_ids[:DEPLOYED_REPOSITORIES]:
        commits = [
            (moment, commit["sha"]) for moment, commit in timed_commits if commit["repository"] == repository_id
        ]
        times = [moment for moment, _sha in commits]
        previous = start
        day = start
        while day < now:
            deployed = day + timedelta(hours=15, minutes=rng.randint(0, 90))
            if day.weekday() < 5 and rng.random() < 0.85 and deployed < now:
                shipped = [
                    sha for _moment, sha in commits[bisect_right(times, previous) : bisect_right(times, deployed)]
                ]
                if shipped:
                    environments = ["staging", "production"] if repository_id == repository_ids[0] else ["production"]
                    for environment in environments:
                        at = deployed - timedelta(hours=2) if environment == "staging" else deployed
                        failed = rng.random() < 0.07
                        result.append(
                            {
                                "id": first_id + len(result), "repository": repository_id, "environment": environment,
                                "deployed_at": timestamp(at), "status": "failure" if failed else "success",
                                "commits": shipped[-40:],
                                "caused_incident": not failed and environment == "production" and rng.random() < 0.1,
                            }
                        )  # fmt: skip
                    previous = deployed
            day += timedelta(days=1)
    return result
