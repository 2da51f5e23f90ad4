"""Build real git repositories for tests: controlled authors, author dates with their own UTC
offsets, branches and merges. The user's and the system's git configuration are ignored."""

import os
import subprocess
from datetime import datetime
from pathlib import Path

GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_TERMINAL_PROMPT": "0",
    "TZ": "UTC",
}


class GitRepo:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str, env: dict | None = None) -> str:
        completed = subprocess.run(
            ["git", *args],
            cwd=self.path,
            env={**os.environ, **GIT_ENV, **(env or {})},
            capture_output=True,
            text=True,
            check=True,
        )
        return completed.stdout.strip()

    def write(self, name: str, lines: list[str]) -> None:
        file = self.path / name
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text("".join(f"{line}\n" for line in lines))

    def lines(self, name: str) -> list[str]:
        return (self.path / name).read_text().splitlines()

    def edit(self, name: str, start: int, count: int, new: list[str]) -> None:
        """Replace `count` lines from line `start` (1-based) by `new`."""
        lines = self.lines(name)
        lines[start - 1 : start - 1 + count] = new
        self.write(name, lines)

    @staticmethod
    def _identity(author: tuple[str, str], when: datetime) -> dict:
        name, email = author
        stamp = when.isoformat()
        return {
            "GIT_AUTHOR_NAME": name,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_AUTHOR_DATE": stamp,
            "GIT_COMMITTER_NAME": name,
            "GIT_COMMITTER_EMAIL": email,
            "GIT_COMMITTER_DATE": stamp,
        }

    def commit(self, message: str, *, author: tuple[str, str], when: datetime) -> str:
        """Commit everything in the working tree; returns the sha."""
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message, env=self._identity(author, when))
        return self.head()

    def merge(self, branch: str, *, author: tuple[str, str], when: datetime, strategy: str | None = None) -> str:
        extra = ["-s", strategy] if strategy else []
        self.git("merge", "-q", "--no-ff", *extra, "-m", f"Merge {branch}", branch, env=self._identity(author, when))
        return self.head()

    def branch(self, name: str, start: str = "HEAD") -> None:
        self.git("checkout", "-q", "-b", name, start)

    def checkout(self, name: str) -> None:
        self.git("checkout", "-q", name)

    def head(self) -> str:
        return self.git("rev-parse", "HEAD")

    def numstat(self) -> dict[str, tuple[int, int, int]]:
        """(additions, deletions, files) of every non-merge commit, as `git log --numstat` counts them."""
        output = self.git("log", "--no-merges", "--numstat", "-M", "--format=@%H")
        result: dict[str, list[int]] = {}
        current = None
        for line in output.splitlines():
            if line.startswith("@"):
                current = line[1:]
                result[current] = [0, 0, 0]
            elif line.strip():
                added, deleted, _path = line.split("\t", 2)
                totals = result[current]
                totals[0] += 0 if added == "-" else int(added)
                totals[1] += 0 if deleted == "-" else int(deleted)
                totals[2] += 1
        return {sha: tuple(values) for sha, values in result.items()}
