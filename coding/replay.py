"""The replay of line ownership through history, which classifies every old line a commit changes
as rework, help others or legacy refactor, and computes each commit's numbers.

The owner of a line is the (person id, author time) of the commit that last wrote it, one tuple
shared by every line of that commit. The replay keeps the line ownership of the commits that still
have children to come (usually one per open branch), each a map from path to the owner of every
line: memory grows with the size of the tree and the number of open branches, not with the length
of the history.

Commits arrive parents first (`--topo-order --reverse`). A commit's diff is against its first
parent; for a merge, a file whose merged content equals another parent's keeps that parent's
owners, and a file changed on both sides (rare) is diffed against the other parents as well, so a
merged branch's lines keep their authors and only lines that exist in no parent (a conflict
resolution) belong to the merge. When a parent was not walked in this run (an incremental import,
or `--first-parent` for the merged side), its ownership is read lazily, per file, from
`git blame` at that parent.
"""

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from coding.blame import BlameBase, FileLines, Owner, Resolve
from coding.git import DIFF_OPTIONS, PATHS_PER_CALL, FileChange, RawCommit, parse_diff, run_git
from formulas.coding import (
    HELP_OTHERS,
    LEGACY_REFACTOR,
    REWORK,
    classify_old_line,
    commit_impact,
    hunk_haloc,
)

BLAME_BASES_KEPT = 64


class Snapshot:
    """Line ownership of every file at one commit: files replayed in this run, over a lazily
    blamed base for a commit this run did not walk. A deleted file is None over a base."""

    __slots__ = ("base", "files")

    def __init__(self, files: dict[str, FileLines | None] | None = None, base: BlameBase | None = None):
        self.files = files if files is not None else {}
        self.base = base

    def get(self, path: str | None) -> FileLines | None:
        if path is None:
            return None
        if path in self.files:
            return self.files[path]
        return self.base.get(path) if self.base is not None else None

    def put(self, path: str, lines: FileLines) -> None:
        self.files[path] = lines

    def delete(self, path: str) -> None:
        if self.base is None:
            self.files.pop(path, None)
        else:
            self.files[path] = None

    def copy(self) -> "Snapshot":
        return Snapshot(dict(self.files), self.base)


@dataclass(slots=True)
class CommitNumbers:
    """What the import stores for one commit."""

    raw: RawCommit
    author_id: int | None
    additions: int = 0
    deletions: int = 0
    files: int = 0
    hunks: int = 0
    haloc: int = 0
    new_work_lines: int = 0
    rework_lines: int = 0
    help_others_lines: int = 0
    legacy_refactor_lines: int = 0
    impact: float = 0.0

    @property
    def authored_at(self) -> datetime:
        return datetime.fromtimestamp(self.raw.author_epoch, tz=UTC)

    @property
    def author_timezone(self) -> timezone:
        return timezone(timedelta(minutes=self.raw.author_offset_minutes))

    @property
    def committed_at(self) -> datetime | None:
        epoch = self.raw.committer_epoch
        return None if epoch is None else datetime.fromtimestamp(epoch, tz=UTC)


_MERGED = object()  # a line a merge's diff adds against one parent: look for it in the others


def splice(
    owners: list[Owner], hunks: Iterable[tuple[int, int, int, int]], new_owner: object, removed: list[Owner] | None
) -> list:
    """The owners after applying zero-context `hunks`: old lines removed (appended to `removed`;
    lines missing from `owners` count as unknown), new lines owned by `new_owner`."""
    result: list = []
    position = 0
    for old_start, old_count, _new_start, new_count in hunks:
        start = old_start - 1 if old_count > 0 else old_start
        start = max(start, position)
        result.extend(owners[position:start])
        if removed is not None:
            gone = owners[start : start + old_count]
            removed.extend(gone)
            if len(gone) < old_count:
                removed.extend([None] * (old_count - len(gone)))
        if start > len(owners):  # ownership out of step with the file: the gap is unknown
            result.extend([None] * (start - len(owners)))
        result.extend([new_owner] * new_count)
        position = start + old_count
    result.extend(owners[position:])
    return result


class Replay:
    """Replays line ownership through commits given parents first, and computes each commit's
    numbers. `resolve` maps an author (email, name) to a person id."""

    def __init__(self, repository: str, resolve: Resolve):
        self.repository = repository
        self.resolve = resolve
        self.snapshots: dict[str, Snapshot] = {}
        self.children_left: dict[str, int] = {}
        self.bases: OrderedDict[str, BlameBase] = OrderedDict()

    @property
    def live_snapshots(self) -> int:
        return len(self.snapshots)

    def _base(self, sha: str) -> BlameBase:
        base = self.bases.pop(sha, None) or BlameBase(self.repository, sha, self.resolve)
        self.bases[sha] = base
        while len(self.bases) > BLAME_BASES_KEPT:
            self.bases.popitem(last=False)
        return base

    def _release(self, sha: str) -> tuple[Snapshot, bool]:
        """The snapshot of parent `sha` for one more child, and whether that child may own it."""
        snapshot = self.snapshots.get(sha)
        if snapshot is None:
            return Snapshot(base=self._base(sha)), True
        self.children_left[sha] -= 1
        if self.children_left[sha] <= 0:
            del self.snapshots[sha], self.children_left[sha]
            return snapshot, True
        return snapshot, False

    def process(self, raw: RawCommit) -> CommitNumbers:
        author_id = self.resolve(raw.author_email, raw.author_name)
        owner: Owner = (author_id, raw.author_epoch)
        if raw.parents:
            snapshot, owned = self._release(raw.parents[0])
            if not owned:
                snapshot = snapshot.copy()
            others = [self._release(sha)[0] for sha in raw.parents[1:]]
        else:
            snapshot, others = Snapshot(), []
        numbers = CommitNumbers(raw=raw, author_id=author_id, files=len(raw.files))
        for change in raw.files:
            numbers.hunks += len(change.hunks)
            numbers.deletions += sum(hunk[1] for hunk in change.hunks)
            numbers.additions += sum(hunk[3] for hunk in change.hunks)
        if others:
            self._merge(raw, snapshot, others, owner)
        else:
            self._commit(raw, snapshot, owner, numbers)
        if raw.children > 0:
            self.snapshots[raw.sha] = snapshot
            self.children_left[raw.sha] = raw.children
        return numbers

    def _commit(self, raw: RawCommit, snapshot: Snapshot, owner: Owner, numbers: CommitNumbers) -> None:
        removed: list[Owner] = []
        hunk_sizes: list[int] = []
        for change in raw.files:
            old = snapshot.get(change.old_path)
            if change.binary:
                owners: list[Owner] = []
            else:
                owners = splice(old.owners if old is not None else [], change.hunks, owner, removed)
                hunk_sizes += [hunk_haloc(old_lines=h[1], new_lines=h[3]) for h in change.hunks]
            self._store(snapshot, change, old, owners)
        counts = {REWORK: 0, HELP_OTHERS: 0, LEGACY_REFACTOR: 0}
        author_id, epoch = owner
        for line_owner in removed:
            line_author, line_epoch = line_owner if line_owner is not None else (None, None)
            kind = classify_old_line(
                line_author_id=line_author, line_authored_epoch=line_epoch, author_id=author_id, authored_epoch=epoch
            )
            counts[kind] += 1
        numbers.haloc = sum(hunk_sizes)
        numbers.rework_lines = counts[REWORK]
        numbers.help_others_lines = counts[HELP_OTHERS]
        numbers.legacy_refactor_lines = counts[LEGACY_REFACTOR]
        numbers.new_work_lines = numbers.haloc - len(removed)
        numbers.impact = commit_impact(
            hunk_sizes=hunk_sizes, old_lines=len(removed), haloc=numbers.haloc, files=numbers.files
        )

    @staticmethod
    def _store(snapshot: Snapshot, change: FileChange, old: FileLines | None, owners: list[Owner]) -> None:
        if change.old_path is not None and change.old_path != change.new_path:
            snapshot.delete(change.old_path)
        if change.new_path is None:
            if change.old_path is not None:
                snapshot.delete(change.old_path)
            return
        blob = change.new_blob if change.new_blob is not None else (old.blob if old is not None else None)
        snapshot.put(change.new_path, FileLines(blob, owners))

    def _merge(self, raw: RawCommit, snapshot: Snapshot, others: list[Snapshot], owner: Owner) -> None:
        """A merge: its own lines are not counted (merges are not included commits); only the
        ownership it leaves behind matters."""
        both_sides: list[tuple[FileChange, list]] = []
        for change in raw.files:
            old = snapshot.get(change.old_path)
            if change.new_path is None or change.binary:
                self._store(snapshot, change, old, [])
                continue
            same = next(
                (
                    lines
                    for other in others
                    if change.new_blob is not None
                    and (lines := other.get(change.new_path)) is not None
                    and lines.blob == change.new_blob
                ),
                None,
            )
            if same is not None:
                self._store(snapshot, change, old, same.owners)
            else:
                first_side = splice(old.owners if old is not None else [], change.hunks, _MERGED, None)
                both_sides.append((change, first_side))
        if not both_sides:
            return
        sides = [
            self._side_owners(raw, parent, other, both_sides)
            for parent, other in zip(raw.parents[1:], others, strict=True)
        ]
        for change, first_side in both_sides:
            candidates = [first_side, *(side[change.new_path] for side in sides)]
            merged = []
            for index in range(len(first_side)):
                chosen: object = owner
                for candidate in candidates:
                    if index < len(candidate) and candidate[index] is not _MERGED:
                        chosen = candidate[index]
                        break
                merged.append(chosen)
            self._store(snapshot, change, snapshot.get(change.old_path), merged)

    def _side_owners(
        self, raw: RawCommit, parent: str, other: Snapshot, both_sides: list[tuple[FileChange, list]]
    ) -> dict[str, list]:
        """Owners of the given merged files as seen from another parent: its lines where the merge
        kept them, _MERGED where the merge's content differs from that parent."""
        paths = [change.new_path for change, _ in both_sides]
        diffs: dict[str, FileChange] = {}
        for start in range(0, len(paths), PATHS_PER_CALL):
            output = run_git(
                self.repository, "--literal-pathspecs", "diff-tree", "--no-renames", *DIFF_OPTIONS, parent, raw.sha,
                "--", *paths[start : start + PATHS_PER_CALL],
            )  # fmt: skip
            changes: list[FileChange] = []
            parse_diff(iter(output.splitlines(keepends=True)), changes)
            diffs.update({change.new_path or change.old_path: change for change in changes})
        result = {}
        for path in paths:
            lines = other.get(path)
            owners = lines.owners if lines is not None else []
            change = diffs.get(path)
            result[path] = owners if change is None else splice(owners, change.hunks, _MERGED, None)
        return result
