"""Line ownership read from `git blame`, for the commits an import did not replay itself (an
incremental import's already-imported parents, or the merged side with `--first-parent`); see
coding.replay."""

from collections.abc import Callable

from coding.git import GitError, run_git

Owner = tuple[int | None, int] | None
"""(person id, author epoch seconds) of the commit that last wrote a line; None when unknown."""
Resolve = Callable[[str, str], int | None]
"""(email, name) -> person id."""


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
