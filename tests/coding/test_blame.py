"""`coding.blame.BlameBase`: line ownership at a commit read back from `git blame`, per file, once."""

from coding.blame import BlameBase
from tests.support.git_scenario import ADA, BOB, at, lines
from tests.support.gitrepo import GitRepo


def test_owners_of_every_line_come_from_git_blame(tmp_path, monkeypatch):
    repo = GitRepo(tmp_path / "r")
    repo.write("a.py", lines("ada", 4))
    repo.commit("ada", author=ADA, when=at(0, 9, +2))
    repo.edit("a.py", 2, 1, ["bob 2", "bob 3"])
    sha = repo.commit("bob", author=BOB, when=at(1, 9, -5))
    repo.write("a.py", ["later"])
    repo.commit("later", author=ADA, when=at(2, 9))

    people = {"ada@acme.test": 1, "bob@users.noreply.example": 2}
    base = BlameBase(str(repo.path), sha, lambda email, name: people[email.lower()])
    ada, bob = (1, int(at(0, 9, +2).timestamp())), (2, int(at(1, 9, -5).timestamp()))
    assert base.get("a.py").owners == [ada, bob, bob, ada, ada]  # at `sha`, not at HEAD
    assert base.get("missing.py") is None

    monkeypatch.setattr(BlameBase, "_blame", lambda self, path: (_ for _ in ()).throw(AssertionError(path)))
    assert base.get("a.py").owners[1] == bob  # read once, then kept
