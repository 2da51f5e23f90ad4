"""Parsing git's output and applying zero-context hunks to line ownership (coding.git)."""

from coding.git import FileChange, _diff_git_paths, _unquote, parse_diff, parse_log
from coding.replay import splice

LOG = b"""commit 1111111111111111111111111111111111111111 2222222222222222222222222222222222222222
tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904
author Ada Lovelace <Ada@Acme.Test> 1717401600 +0200
committer Ada Lovelace <ada@acme.test> 1717405200 -0530

    Subject line

    commit this is not: the body is indented
    diff --git neither

diff --git a/my file.txt b/my file.txt
index 0000000000000000000000000000000000000001..0000000000000000000000000000000000000002 100644
--- a/my file.txt\t
+++ b/my file.txt\t
@@ -1,2 +1 @@
--- a deleted line that looks like a header
-commit 3333333333333333333333333333333333333333
+++ an added line that looks like a header
\\ No newline at end of file
@@ -10,0 +11,2 @@ context
+one
+two
diff --git "a/quo\\"te\\303\\251.txt" "b/quo\\"te\\303\\251.txt"
deleted file mode 100644
index 0000000000000000000000000000000000000003..0000000000000000000000000000000000000000
--- "a/quo\\"te\\303\\251.txt"
+++ /dev/null
@@ -1 +0,0 @@
-gone
diff --git a/logo.png b/logo.png
new file mode 100644
index 0000000000000000000000000000000000000000..0000000000000000000000000000000000000004
Binary files /dev/null and b/logo.png differ
diff --git a/old.py b/new.py
similarity index 90%
rename from old.py
rename to new.py
index 0000000000000000000000000000000000000005..0000000000000000000000000000000000000006 100644
--- a/old.py
+++ b/new.py
@@ -3 +3 @@
-x
+y
commit 2222222222222222222222222222222222222222
tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904
parent 1111111111111111111111111111111111111111
parent 4444444444444444444444444444444444444444
author Bob <bob@example.test> 1717488000 +0000
committer Bob <bob@example.test> 1717488000 +0000

    Merge
commit 5555555555555555555555555555555555555555
tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904
author Carol <carol@example.test> 1717488000 +0000
committer Carol <carol@example.test> 1717488000 +0000

"""


def test_parse_log_reads_headers_messages_and_file_changes():
    first, merge, empty = list(parse_log(iter(LOG.splitlines(keepends=True))))
    assert (first.sha[:4], first.parents, first.children) == ("1111", [], 1)
    assert (first.author_name, first.author_email, first.author_epoch) == ("Ada Lovelace", "Ada@Acme.Test", 1717401600)
    assert (first.author_offset_minutes, first.committer_offset_minutes) == (120, -330)
    assert first.message.startswith("Subject line\n\ncommit this is not")
    text, quoted, binary, renamed = first.files
    assert (text.old_path, text.new_path, text.hunks) == ("my file.txt", "my file.txt", [(1, 2, 1, 1), (10, 0, 11, 2)])
    assert (quoted.old_path, quoted.new_path, quoted.hunks) == ('quo"teé.txt', None, [(1, 1, 0, 0)])
    assert quoted.old_blob.endswith("3") and quoted.new_blob is None
    assert (binary.old_path, binary.new_path, binary.binary, binary.hunks) == (None, "logo.png", True, [])
    assert (renamed.old_path, renamed.new_path, renamed.hunks) == ("old.py", "new.py", [(3, 1, 3, 1)])
    assert merge.is_merge and merge.files == [] and merge.message == "Merge"
    assert (empty.sha[:4], empty.message, empty.files, empty.children) == ("5555", "", [], 0)


def test_paths_with_spaces_and_quotes():
    assert _diff_git_paths(b"a/x b/y.txt b/x b/y.txt\n") == ("x b/y.txt", "x b/y.txt")
    assert _diff_git_paths(b'"a/t\\tab" "b/t\\tab"') == ("t\tab", "t\tab")
    assert _unquote(b'"\\303\\251\\\\\\"" rest') == ('é\\"'.encode(), b" rest")


def test_parse_diff_of_diff_tree_output():
    output = b"diff --git a/f b/f\nindex 1..2 100644\n--- a/f\n+++ b/f\n@@ -2,0 +3 @@\n+new\n"
    changes: list[FileChange] = []
    assert parse_diff(iter(output.splitlines(keepends=True)), changes) is None
    assert changes[0].hunks == [(2, 0, 3, 1)]


def test_splice_applies_zero_context_hunks():
    owners = ["a1", "a2", "a3", "a4", "a5"]
    removed: list = []
    # replace line 2 by two lines, insert one after line 4, delete line 5
    result = splice(owners, [(2, 1, 2, 2), (4, 0, 6, 1), (5, 1, 7, 0)], "me", removed)
    assert result == ["a1", "me", "me", "a3", "a4", "me"]
    assert removed == ["a2", "a5"]


def test_splice_counts_lines_it_has_no_record_of_as_unknown():
    removed: list = []
    assert splice(["a1"], [(1, 3, 1, 1)], "me", removed) == ["me"]
    assert removed == ["a1", None, None]


def test_identities_git_can_hold_but_python_cannot_are_clamped():
    log = (
        b"commit 6666666666666666666666666666666666666666\n"
        b"author Odd <odd@example.test> 99999999999999 +9959\n"
        b"committer Broken <broken@example.test> soon +02x0\n\n    odd\n"
    )
    (commit,) = parse_log(iter(log.splitlines(keepends=True)))
    assert commit.author_epoch == 221845392000  # 9000-01-01
    assert commit.author_offset_minutes == 23 * 60 + 59
    assert (commit.committer_epoch, commit.committer_offset_minutes) == (0, 0)
