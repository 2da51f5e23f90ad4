"""Reading a local git repository by running git: one streamed `git log` (raw headers, children,
zero-context hunks) parsed a commit at a time, and a streamed `git rev-list`. The replay of line
ownership that classifies old lines is in coding.replay.

Memory stays bounded whatever the history length: git's output is read line by line, never held
whole.
"""

import codecs
import re
import subprocess
import tempfile
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice

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


def _stream_lines(command: list[str], *, name: str) -> Iterator[bytes]:
    """The output lines of a git process, read as they come. Raises GitError when git fails."""
    with tempfile.TemporaryFile() as errors:
        try:
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, bufsize=1 << 20)
        except OSError as error:
            raise GitError(f"Cannot run git: {error.strerror}") from None
        finished = False
        try:
            yield from process.stdout
            finished = True
        finally:
            if not finished:
                process.kill()
            process.stdout.close()
            returncode = process.wait()
        if returncode != 0:
            errors.seek(0)
            raise GitError(f"git {name} failed: {errors.read().decode('utf-8', 'replace').strip()}")


def stream_commits(repository: str, revisions: list[str], *, first_parent: bool = False) -> Iterator[RawCommit]:
    """Commits of `revisions` (git rev-list arguments), parents before children, streamed from one
    `git log` process. Raises GitError when git fails."""
    yield from parse_log(_stream_lines(log_command(repository, revisions, first_parent=first_parent), name="log"))


def stream_reachable(repository: str, revisions: list[str], *, first_parent: bool = False) -> Iterator[str]:
    """The sha of every commit reachable from `revisions` (only along first parents with
    `first_parent`), one at a time from one `git rev-list` process. Raises GitError when git fails."""
    command = [
        "git", "-C", repository, *GIT_CONFIG, "rev-list", *(["--first-parent"] if first_parent else []),
        *revisions, "--",
    ]  # fmt: skip
    for line in _stream_lines(command, name="rev-list"):
        yield line.strip().decode("ascii")
