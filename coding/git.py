"""Reading a local git repository: one streamed `git log` (raw headers, children, zero-context
hunks), and the replay of line ownership through history that classifies every old line a commit
changes as rework, help others or legacy refactor.

Memory stays bounded whatever the history length: commits are parsed one at a time from git's
output, and the replay keeps the line ownership of the commits that still have children to come
(usually one per open branch), each a map from path to the owner of every line. The owner of a
line is the (person id, author time) of the commit that last wrote it, one tuple shared by every
line of that commit.

Commits arrive parents first (`--topo-order --reverse`). A commit's diff is against its first
parent; for a merge, a file whose merged content equals another parent's keeps that parent's
owners, and a file changed on both sides (rare) is diffed against the other parents as well, so a
merged branch's lines keep their authors and only lines that exist in no parent (a conflict
resolution) belong to the merge. When a parent was not walked in this run (an incremental import,
or `--first-parent` for the merged side), its ownership is read lazily, per file, from
`git blame` at that parent.
"""

import codecs
import re
import subprocess
import tempfile
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from itertools import islice

from metrics.calculations.coding import (
    HELP_OTHERS,
    LEGACY_REFACTOR,
    REWORK,
    classify_old_line,
    commit_impact,
    hunk_haloc,
)

# Settings that would change git's output format, pinned whatever the user's configuration says.
GIT_CONFIG = [
    "-c", "core.quotepath=off", "-c", "diff.noprefix=false", "-c", "diff.mnemonicPrefix=false",
    "-c", "log.showSignature=false", "-c", "diff.external=", "-c", "color.ui=false",
]  # fmt: skip
DIFF_OPTIONS = [
    "-p", "-U0", "-M", "--full-index", "--no-color", "--no-ext-diff", "--no-textconv",
    "--src-prefix=a/", "--dst-prefix=b/",
]  # fmt: skip
HUNK_HEADER = re.compile(rb"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
NULL_BLOB = "0" * 40
PATHS_PER_CALL = 500
# Dates git can hold but Python cannot: clamped to years 1900..9000; offsets to less than a day.
MIN_EPOCH, MAX_EPOCH = -2208988800, 221845392000
MAX_OFFSET_MINUTES = 23 * 60 + 59
BLAME_BASES_KEPT = 64

Owner = tuple[int | None, int] | None
"""(person id, author epoch seconds) of the commit that last wrote a line; None when unknown."""
Resolve = Callable[[str, str], int | None]
"""(email, name) -> person id."""


class GitError(Exception):
    """git could not be run, or failed."""


def run_git(repository: str, *args: str, check: bool = True, input: bytes | None = None) -> bytes:
    try:
        completed = subprocess.run(
            ["git", "-C", repository, *GIT_CONFIG, *args], input=input, capture_output=True, check=False
        )
    except OSError as error:
        raise GitError(f"Cannot run git: {error.strerror}") from None
    if check and completed.returncode != 0:
        message = completed.stderr.decode("utf-8", "replace").strip() or f"exit status {completed.returncode}"
        raise GitError(f"git {args[0]} failed: {message}")
    return completed.stdout


# --- parsing ----------------------------------------------------------------------------------


@dataclass(slots=True)
class FileChange:
    """One file of a commit's diff against its first parent; `hunks` are
    (old start, old count, new start, new count) of zero-context hunks. A path is None on the side
    where the file does not exist; a blob None when git did not print one (a pure rename)."""

    old_path: str | None
    new_path: str | None
    old_blob: str | None = None
    new_blob: str | None = None
    binary: bool = False
    hunks: list[tuple[int, int, int, int]] = field(default_factory=list)


@dataclass(slots=True)
class RawCommit:
    sha: str
    parents: list[str]
    children: int
    author_name: str = ""
    author_email: str = ""
    author_epoch: int = 0
    author_offset_minutes: int = 0
    committer_epoch: int | None = None
    committer_offset_minutes: int = 0
    message: str = ""
    files: list[FileChange] = field(default_factory=list)

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1


_ESCAPES = {b"a": 7, b"b": 8, b"t": 9, b"n": 10, b"v": 11, b"f": 12, b"r": 13, b'"': 34, b"\\": 92}


def _unquote(raw: bytes) -> tuple[bytes, bytes]:
    """A C-style quoted string at the start of `raw` (as git quotes unusual paths): its bytes and
    the rest after the closing quote."""
    out = bytearray()
    i = 1
    while i < len(raw):
        char = raw[i : i + 1]
        if char == b'"':
            return bytes(out), raw[i + 1 :]
        if char == b"\\":
            following = raw[i + 1 : i + 2]
            if following in _ESCAPES:
                out.append(_ESCAPES[following])
                i += 2
                continue
            digits = raw[i + 1 : i + 4]
            if len(digits) == 3 and digits.isdigit():
                out.append(int(digits, 8) & 0xFF)
                i += 4
                continue
        out += char
        i += 1
    return bytes(out), b""


def _path(raw: bytes, prefix: bytes = b"") -> str:
    """A path as git prints it (maybe quoted, maybe with a/ or b/), decoded losslessly."""
    raw = raw.rstrip(b"\n").rstrip(b"\t")
    if raw.startswith(b'"'):
        raw = _unquote(raw)[0]
    if prefix and raw.startswith(prefix):
        raw = raw[len(prefix) :]
    return raw.decode("utf-8", "surrogateescape")


def _diff_git_paths(rest: bytes) -> tuple[str, str]:
    """The two paths of a `diff --git a/X b/Y` line."""
    rest = rest.rstrip(b"\n")
    if rest.startswith(b'"'):
        first, remainder = _unquote(rest)
        return _path(first, b"a/"), _path(remainder.lstrip(b" "), b"b/")
    size = (len(rest) - 5) // 2
    if rest.startswith(b"a/") and rest[2 + size : 2 + size + 3] == b" b/" and rest[2 : 2 + size] == rest[5 + size :]:
        path = _path(rest[2 : 2 + size])
        return path, path
    if b' "' in rest:
        first, second = rest.split(b' "', 1)
        return _path(first, b"a/"), _path(b'"' + second, b"b/")
    first, _, second = rest.partition(b" b/")
    return _path(first, b"a/"), _path(second)


def _identity(line: bytes, encoding: str) -> tuple[str, str, int, int]:
    """Name, email, epoch seconds and UTC offset (minutes) of an `author` / `committer` line."""
    close = line.rfind(b">")
    open_ = line.rfind(b"<", 0, close)
    name = line[line.index(b" ") + 1 : open_].strip().decode(encoding, "replace")
    email = line[open_ + 1 : close].strip().decode(encoding, "replace")
    when = line[close + 1 :].split()
    try:
        epoch = min(max(int(when[0]), MIN_EPOCH), MAX_EPOCH)
    except (IndexError, ValueError):  # a malformed identity: git fsck would complain, git log shows it
        epoch = 0
    offset = 0
    if len(when) > 1 and len(when[1]) == 5 and when[1][1:].isdigit():
        sign = -1 if when[1][:1] == b"-" else 1
        offset = sign * min(int(when[1][1:3]) * 60 + int(when[1][3:5]), MAX_OFFSET_MINUTES)
    return name, email, epoch, offset


def _skip_hunk_body(lines: Iterator[bytes], count: int) -> None:
    """Consume a hunk's `count` body lines (in C). A "\\ No newline at end of file" marker among
    them leaves one body line unread; it starts with "+", "-" or "\\", which no header matches, so
    the caller passes over it."""
    deque(islice(lines, count), maxlen=0)


def _apply_extended_header(change: FileChange, line: bytes) -> None:
    if line.startswith(b"index "):
        blobs = line[6:].split()[0].split(b"..")
        if len(blobs) == 2:
            old, new = blobs[0].decode(), blobs[1].decode()
            change.old_blob = None if old == NULL_BLOB else old
            change.new_blob = None if new == NULL_BLOB else new
    elif line.startswith(b"new file mode"):
        change.old_path = None
    elif line.startswith(b"deleted file mode"):
        change.new_path = None
    elif line.startswith(b"rename from "):
        change.old_path = _path(line[len(b"rename from ") :])
    elif line.startswith(b"rename to "):
        change.new_path = _path(line[len(b"rename to ") :])
    elif line.startswith(b"Binary files ") or line.startswith(b"GIT binary patch"):
        change.binary = True


def parse_diff(lines: Iterator[bytes], files: list[FileChange], first: bytes | None = None) -> bytes | None:
    """Read file diffs into `files` until a line that is not part of a diff; return that line."""
    line = first if first is not None else next(lines, None)
    change = None
    while line is not None:
        if line.startswith(b"diff --git "):
            old_path, new_path = _diff_git_paths(line[len(b"diff --git ") :])
            change = FileChange(old_path=old_path, new_path=new_path)
            files.append(change)
        elif line.startswith(b"@@") and change is not None:
            match = HUNK_HEADER.match(line)
            if match:
                old_start, old_count, new_start, new_count = match.groups()
                old_n = 1 if old_count is None else int(old_count)
                new_n = 1 if new_count is None else int(new_count)
                change.hunks.append((int(old_start), old_n, int(new_start), new_n))
                _skip_hunk_body(lines, old_n + new_n)
        elif line.startswith(b"commit "):
            return line
        elif change is not None:
            _apply_extended_header(change, line)
        line = next(lines, None)
    return None


def parse_log(lines: Iterator[bytes]) -> Iterator[RawCommit]:
    """Commits of `git log --pretty=raw --children -p ...` output, one at a time."""
    line = next(lines, None)
    while line is not None:
        if not line.startswith(b"commit "):
            line = next(lines, None)
            continue
        shas = line.split()[1:]
        commit = RawCommit(sha=shas[0].decode(), parents=[], children=len(shas) - 1)
        encoding = "utf-8"
        author = committer = None
        # headers, up to the blank line
        for header in lines:
            line = header
            if line == b"\n":
                break
            if line.startswith(b"parent "):
                commit.parents.append(line.split()[1].decode())
            elif line.startswith(b"author "):
                author = line
            elif line.startswith(b"committer "):
                committer = line
            elif line.startswith(b"encoding "):
                encoding = _encoding(line[9:].strip().decode("ascii", "replace"))
        if author is not None:
            commit.author_name, commit.author_email, commit.author_epoch, commit.author_offset_minutes = _identity(
                author, encoding
            )
        if committer is not None:
            _, _, commit.committer_epoch, commit.committer_offset_minutes = _identity(committer, encoding)
        # message lines are indented by four spaces
        message: list[bytes] = []
        line = next(lines, None)
        while line is not None and not line.startswith(b"diff --git ") and not line.startswith(b"commit "):
            if line.startswith(b"    "):
                message.append(line[4:])
            elif line == b"\n":
                message.append(line)
            else:
                break
            line = next(lines, None)
        commit.message = b"".join(message).decode(encoding, "replace").strip().replace("\x00", "")
        if line is not None and not line.startswith(b"commit "):
            line = parse_diff(lines, commit.files, first=line)
        yield commit


def _encoding(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return "utf-8"


def log_command(repository: str, revisions: list[str], *, first_parent: bool = False) -> list[str]:
    return [
        "git", "-C", repository, *GIT_CONFIG, "log", "--pretty=raw", "--children", "--topo-order", "--reverse",
        "--diff-merges=first-parent", "--no-notes", *DIFF_OPTIONS, *(["--first-parent"] if first_parent else []),
        *revisions, "--",
    ]  # fmt: skip


def stream_commits(repository: str, revisions: list[str], *, first_parent: bool = False) -> Iterator[RawCommit]:
    """Commits of `revisions` (git rev-list arguments), parents before children, streamed from one
    `git log` process. Raises GitError when git fails."""
    with tempfile.TemporaryFile() as errors:
        try:
            process = subprocess.Popen(
                log_command(repository, revisions, first_parent=first_parent),
                stdout=subprocess.PIPE,
                stderr=errors,
                bufsize=1 << 20,
            )
        except OSError as error:
            raise GitError(f"Cannot run git: {error.strerror}") from None
        finished = False
        try:
            yield from parse_log(process.stdout)
            finished = True
        finally:
            if not finished:
                process.kill()
            process.stdout.close()
            returncode = process.wait()
        if returncode != 0:
            errors.seek(0)
            raise GitError(f"git log failed: {errors.read().decode('utf-8', 'replace').strip()}")


# --- line ownership ---------------------------------------------------------------------------


class FileLines:
    """The owners of a file's lines at one commit, and its blob id when known. Never mutated once
    built, so snapshots can share it."""

    __slots__ = ("blob", "owners")

    def __init__(self, blob: str | None, owners: list[Owner]):
        self.blob = blob
        self.owners = owners


class BlameBase:
    """Line ownership at a commit this run did not replay, read per file from `git blame` when
    first needed."""

    def __init__(self, repository: str, sha: str, resolve: Resolve):
        self.repository, self.sha, self.resolve = repository, sha, resolve
        self.files: dict[str, FileLines | None] = {}

    def get(self, path: str) -> FileLines | None:
        if path not in self.files:
            self.files[path] = self._blame(path)
        return self.files[path]

    def _blame(self, path: str) -> FileLines | None:
        try:
            output = run_git(self.repository, "--literal-pathspecs", "blame", "--incremental", self.sha, "--", path)
        except GitError:
            return None  # no such file at that commit
        owners: dict[int, Owner] = {}
        authors: dict[bytes, tuple[str, str, int]] = {}
        size = 0
        current: tuple[bytes, int, int] | None = None
        pending: dict[str, object] = {}
        for line in output.splitlines():
            if current is None:
                parts = line.split()
                current = (parts[0], int(parts[2]), int(parts[3]))
                pending = {}
            elif line.startswith(b"author-mail "):
                pending["email"] = line[12:].strip().strip(b"<>").decode("utf-8", "replace")
            elif line.startswith(b"author-time "):
                pending["time"] = int(line[12:])
            elif line.startswith(b"author "):
                pending["name"] = line[7:].decode("utf-8", "replace")
            elif line.startswith(b"filename "):
                sha, final, count = current
                if sha not in authors:
                    authors[sha] = (str(pending.get("email", "")), str(pending.get("name", "")), int(pending["time"]))
                email, name, epoch = authors[sha]
                owner = (self.resolve(email, name), epoch)
                for number in range(final, final + count):
                    owners[number] = owner
                size = max(size, final + count - 1)
                current = None
        return FileLines(None, [owners.get(number) for number in range(1, size + 1)])


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
