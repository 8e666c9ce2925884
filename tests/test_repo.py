"""Repo: the file index, gitignore, vendored trees, links, and bounded reads."""

from __future__ import annotations

import os
import subprocess

import pytest

from ml_readiness.errors import UsageError
from ml_readiness.repo import Repo
from tests.helpers import make_repo


def test_walk_honours_gitignore_and_vendored_dirs(tmp_path):
    root = make_repo(
        tmp_path / "r",
        {
            ".gitignore": "data/\n*.log\n",
            "src/a.py": "x = 1\n",
            "data/raw.csv": "a,b\n",
            "run.log": "x\n",
            ".venv/lib/site.py": "x\n",
            "node_modules/p/i.js": "x\n",
            "third_party/lib/x.py": "x\n",
            "sub/.gitignore": "local.txt\n",
            "sub/local.txt": "x\n",
            "sub/kept.txt": "x\n",
        },
    )
    repo = Repo.open(root)
    assert repo.files == [".gitignore", "src/a.py", "sub/.gitignore", "sub/kept.txt"]
    assert not repo.in_git


def test_git_index_lists_tracked_and_untracked_not_ignored(tmp_path):
    root = make_repo(tmp_path / "r", {".gitignore": "*.bin\n", "a.py": "1\n"}, git=True)
    (root / "new.py").write_text("2\n")
    (root / "blob.bin").write_text("3\n")
    repo = Repo.open(root)
    assert repo.files == [".gitignore", "a.py", "new.py"]
    assert repo.is_tracked("a.py") and not repo.is_tracked("new.py")
    assert repo.commit and len(repo.commit) == 40


def test_subfolder_of_larger_repo_sees_top_level_ci(tmp_path):
    top = make_repo(
        tmp_path / "mono",
        {
            ".github/workflows/ci.yml": "on: push\n",
            "CODEOWNERS": "* @team\n",
            "other/x.py": "1\n",
            "proj/ml/train.py": "1\n",
        },
        git=True,
    )
    repo = Repo.open(top / "proj" / "ml")
    assert repo.files == ["../../.github/workflows/ci.yml", "../../CODEOWNERS", "train.py"]
    assert repo.glob(".github/workflows/*.yml") == ["../../.github/workflows/ci.yml"]
    assert repo.read_text("../../CODEOWNERS") == "* @team\n"


def test_git_config_programs_never_run(tmp_path):
    root = make_repo(tmp_path / "r", {"a.py": "1\n"}, git=True)
    marker = tmp_path / "PWNED"
    hook = f"touch {marker}"
    subprocess.run(["git", "config", "core.fsmonitor", hook], cwd=root, check=True)
    subprocess.run(["git", "config", "core.pager", hook], cwd=root, check=True)
    (root / ".git" / "hooks" / "post-checkout").write_text(f"#!/bin/sh\n{hook}\n")
    Repo.open(root)
    assert not marker.exists()


def test_excludes(tmp_path):
    root = make_repo(
        tmp_path / "r", {"keep.py": "", "notebooks/scratch/a.py": "", "notebooks/b.py": ""}
    )
    repo = Repo.open(root, excludes=["notebooks/scratch/**"])
    assert repo.files == ["keep.py", "notebooks/b.py"]


def test_links_out_of_tree_are_not_followed(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOKEN-123")
    root = make_repo(tmp_path / "r", {"a.py": "x = 1\n"})
    os.symlink(secret, root / "leak.txt")
    os.symlink(tmp_path, root / "parent")
    os.symlink(root / "a.py", root / "inner.py")
    os.symlink(root / "missing", root / "dangling")
    repo = Repo.open(root)
    assert repo.files == ["a.py", "inner.py"]
    assert repo.read_text("inner.py") == "x = 1\n"
    messages = {n.path: n.message for n in repo.notes}
    assert "outside the audited tree" in messages["leak.txt"]
    assert "dangling" in messages["dangling"]


def test_reads_are_bounded_and_decoded_safely(tmp_path):
    root = make_repo(
        tmp_path / "r",
        {
            "big.txt": "x" * 5000,
            "bin.py": b"\x00\x01\x02",
            "latin.py": "caf\xe9 = 1\n".encode("latin-1"),
            "bom.py": b"\xef\xbb\xbfx = 1\n",
        },
    )
    repo = Repo.open(root, max_file_bytes=1000)
    assert repo.read_text("big.txt") is None
    assert repo.text("bin.py").reason == "binary"
    assert repo.text("latin.py").reason == "not valid UTF-8"
    assert repo.read_text("bom.py") == "x = 1\n"
    assert repo.read_bytes("big.txt", limit=10) == b"x" * 10
    notes = {n.path: n.message for n in repo.notes}
    assert notes["big.txt"] == "larger than the 1000 byte cap (5000 bytes); skipped"
    assert notes["latin.py"] == "not valid UTF-8; skipped"


def test_each_file_read_once(tmp_path):
    root = make_repo(tmp_path / "r", {"a.py": "x = 1\n"})
    repo = Repo.open(root)
    for _ in range(3):
        repo.read_text("a.py")
    assert repo.reads == {"a.py": 1}


def test_missing_path_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="path does not exist"):
        Repo.open(tmp_path / "nope")
    (tmp_path / "f").write_text("")
    with pytest.raises(UsageError, match="not a directory"):
        Repo.open(tmp_path / "f")


@pytest.mark.parametrize(
    "patterns",
    [
        ("*.yml", "*.yaml"),  # the suffix fast path
        ("*.YML",),  # case-sensitive, like fnmatchcase
        ("*sweep*.yaml",),
        ("ci/*.yml",),
        ("*/.pre-commit-config.yaml", ".pre-commit-config.yaml"),
        ("*[.]yml",),
        ("c?/b*.yml",),  # `?` and `*` split the plain runs: "/b", ".yml"
        ("*/[bx]uild.y?l",),  # a class is one character, never a plain run
        ("a[b].txt",),  # matches ab.txt, not the file named a[b].txt
        ("x[y*",),  # an unclosed bracket is a plain character to fnmatch
        ("[!n]*.txt", "*"),  # "*" holds no plain run: every path is tried
    ],
)
def test_glob_matches_like_fnmatchcase(tmp_path, patterns):
    from fnmatch import fnmatchcase

    files = {
        "a.yml": "x",
        "b.YML": "x",
        "ci/build.yml": "x",
        "ci/deep/x.yaml": "x",
        "conf/sweep_lr.yaml": "x",
        "conf.yml.bak": "x",
        ".pre-commit-config.yaml": "x",
        "sub/.pre-commit-config.yaml": "x",
        "notes.txt": "x",
        "ab.txt": "x",
        "a[b].txt": "x",
        "x[yz": "x",
    }
    repo = Repo.open(make_repo(tmp_path, files))
    expected = [f for f in repo.files if any(fnmatchcase(f, p) for p in patterns)]
    assert repo.glob(*patterns) == expected
    assert expected  # every pattern set matches something here


def test_glob_plain_run_is_held_by_every_match():
    """Glob candidates are the paths holding the pattern's longest plain run: for patterns
    built from a path by swapping parts for wildcards, the run is always in the path."""
    import random
    from fnmatch import fnmatchcase

    from ml_readiness.repo import _glob_literal

    rng = random.Random(7)
    checked = 0
    for _ in range(5000):
        path = "".join(rng.choice("ab/.x[]!") for _ in range(rng.randint(1, 12)))
        pattern, i = "", 0
        while i < len(path):
            roll = rng.random()
            if roll < 0.15:
                pattern, i = pattern + "*", i + rng.randint(0, 3)
            elif roll < 0.25:
                pattern, i = pattern + "?", i + 1
            elif roll < 0.35 and path[i] not in "]!":
                pattern, i = pattern + f"[{path[i]}z]", i + 1
            else:
                pattern, i = pattern + path[i], i + 1
        if fnmatchcase(path, pattern):
            checked += 1
            assert _glob_literal(pattern) in path, (pattern, path)
    assert checked > 4000
    assert _glob_literal("**/checkpoints/*.yml") == "/checkpoints/"
    assert _glob_literal("a[!]b]cd") == "cd"
    assert _glob_literal("x[ab") == "x[ab"


def test_prefetched_git_listing_is_the_same_index(tmp_path):
    from ml_readiness.gitindex import _PREFETCHED, prefetch_index

    root = make_repo(tmp_path / "r", {"a.py": "x = 1\n", "sub/b.yml": "k: v\n"}, git=True)
    (root / "new.txt").write_text("untracked\n")
    plain = Repo.open(root)
    assert plain.in_git and plain.commit and plain.files == ["a.py", "new.txt", "sub/b.yml"]
    prefetch_index(root)
    assert root.resolve() in _PREFETCHED
    fetched = Repo.open(root)
    assert root.resolve() not in _PREFETCHED  # taken by the open of the same folder
    assert (fetched.files, fetched.commit, fetched.tracked, fetched.in_git) == (
        plain.files,
        plain.commit,
        plain.tracked,
        plain.in_git,
    )
    prefetch_index(tmp_path / "missing")  # nothing to start: open reports the path
    with pytest.raises(UsageError, match="path does not exist"):
        Repo.open(tmp_path / "missing")


def test_paths_containing_finds_names_without_a_loop_over_the_index(tmp_path):
    root = make_repo(
        tmp_path,
        {
            "reports/Feature_Importance.csv": "x",
            "src/shap_plots.py": "x",
            "keys/id_rsa": "x",
            "README.md": "x",
        },
    )
    repo = Repo.open(root)
    assert repo.paths_containing("importance", "shap", lower=True) == [
        "reports/Feature_Importance.csv",
        "src/shap_plots.py",
    ]
    assert repo.paths_containing("Importance") == ["reports/Feature_Importance.csv"]
    assert repo.paths_containing("importance") == []  # case-sensitive without lower=
    assert repo.paths_containing("id_", "README") == ["README.md", "keys/id_rsa"]
