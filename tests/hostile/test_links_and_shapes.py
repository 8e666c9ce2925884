"""Links out of the tree, huge and strange files, malformed structure: notes, never crashes."""

from __future__ import annotations

import errno
import json
import os

from click.testing import CliRunner

from ml_readiness.cli import main
from tests.helpers import make_repo

SECRET = "TOKEN-s3cr3t-9f8e7d"


def _audit_json(root, *flags) -> tuple[int, dict, str]:
    result = CliRunner().invoke(main, ["audit", str(root), "--format", "json", *flags])
    assert result.exit_code in (0, 1), result.output + repr(result.exception)
    return result.exit_code, json.loads(result.stdout), result.stdout


def test_links_out_of_tree_loops_and_dangling(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "token.txt").write_text(SECRET)
    root = make_repo(tmp_path / "repo", {"src/train.py": "import numpy as np\n"})
    os.symlink("/etc/passwd", root / "passwd.csv")
    os.symlink(outside, root / "data")
    os.symlink(outside / "token.txt", root / "README.md")
    os.symlink(root / "loop_b", root / "loop_a")
    os.symlink(root / "loop_a", root / "loop_b")
    os.symlink(root / "nowhere", root / "dangling.yml")
    _, data, text = _audit_json(root)
    assert SECRET not in text and "root:x:0" not in text
    notes = {n["path"]: n["message"] for n in data["notes"]}
    for link in ("passwd.csv", "data", "README.md", "loop_a", "loop_b", "dangling.yml"):
        assert "not followed" in notes[link], link
    for fmt in ("md", "html", "text"):
        out = CliRunner().invoke(main, ["audit", str(root), "--format", fmt]).stdout
        assert SECRET not in out


def test_size_and_shape(tmp_path):
    root = make_repo(
        tmp_path / "repo",
        {
            "ok.py": "x = 1\n",
            "huge_line.py": "x = [" + "1," * 2_600_000 + "]\n",
            "nested.py": "x = " + "[" * 100_000 + "]" * 100_000 + "\n",
            "binary.py": b"\x00\x01\x02\xff" * 64,
            "binary.yml": b"\x00\xff" * 64,
            "latin1.py": "nom = 'caf\xe9'\n".encode("latin-1"),
            "invalid.py": b"x = '\xc3\x28'\n",
            "tabs.yml": "a:\n\tb: 1\n",
            "bad.toml": "[a\n",
            "bad.json": "{",
            "bad.ipynb": '{"cells": [',
            "deep.json": "[" * 50_000 + "]" * 50_000,
            # libyaml's C composer would segfault on this; the pure-Python loader refuses it
            ".github/workflows/deep.yml": "a: " + "[" * 100_000 + "]" * 100_000 + "\n",
            "gx/expectations/deep.json": '{"a":' * 20_000 + "1" + "}" * 20_000,
            "Makefile": "include Makefile\ninclude other.mk\n",
            "other.mk": "include Makefile\n",
            "run.sh": "#!/bin/sh\n. ./run.sh\nbash run.sh\n",
            ".gitlab-ci.yml": (
                "include:\n  - local: missing/template.yml\ntest:\n  script: [pytest]\n"
            ),
            ".github/workflows/ci.yml": "on: push\njobs:\n  a:\n"
            "    uses: ./.github/workflows/gone.yml\n",
        },
    )
    sparse = root / "data" / "huge.csv"
    sparse.parent.mkdir()
    with open(sparse, "wb") as handle:
        handle.seek(3 * 1024**3)
        handle.write(b"x")
    deep = root
    for _ in range(200):
        deep = deep / "d"
    deep.mkdir(parents=True)
    (deep / "x.py").write_text("x = 1\n")
    _, data, _ = _audit_json(root)
    notes = {n["path"]: n["message"] for n in data["notes"]}
    assert notes["huge_line.py"].startswith("larger than the 2097152 byte cap")
    # a 3 GB sparse file is either sampled by a bounded read or skipped with a note
    assert notes.get("data/huge.csv", "larger than the").startswith("larger than the")
    assert notes["invalid.py"] == "not valid UTF-8; skipped"
    assert notes[".github/workflows/deep.yml"].startswith(("invalid YAML", "YAML nested"))
    assert "folders nested deeper than 64 levels" in json.dumps(data["notes"])
    assert data["overall"]["score"] == min(s["score"] for s in data["sections"])


def test_unreadable_files_are_notes(tmp_path, monkeypatch):
    root = make_repo(
        tmp_path / "repo",
        {"locked.py": "x = 1\n", "ok.py": "import os\n", ".github/workflows/ci.yml": "on: push\n"},
    )
    real_open = os.open

    def deny(path, flags, *args, **kwargs):  # root ignores mode 000, so simulate it
        if str(path).endswith(("locked.py", "ci.yml")):
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", deny)
    _, data, _ = _audit_json(root)
    notes = {n["path"]: n["message"] for n in data["notes"]}
    assert notes[".github/workflows/ci.yml"] == "unreadable: Permission denied"


def test_many_files_in_one_folder(tmp_path):
    root = tmp_path / "repo"
    flat = root / "flat"
    flat.mkdir(parents=True)
    for i in range(100_000):
        (flat / f"f{i}.txt").touch()
    (root / "train.py").write_text("import random\nrandom.seed(0)\n")
    code, data, _ = _audit_json(root)
    assert len(data["items"]) == 28


def test_yaml_alias_bomb_in_ci_and_config(tmp_path):
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n"
        for i in range(9)
    )
    root = make_repo(
        tmp_path / "repo",
        {".github/workflows/ci.yml": bomb, ".gitlab-ci.yml": bomb, "params.yaml": bomb},
    )
    _, data, _ = _audit_json(root)
    notes = {n["path"]: n["message"] for n in data["notes"]}
    assert "alias" in notes.get(
        ".github/workflows/ci.yml", ""
    ) or ".github/workflows/ci.yml" not in json.dumps(data["items"])
    cfg = make_repo(tmp_path / "cfg", {"mlready.yaml": bomb})
    result = CliRunner().invoke(main, ["audit", str(cfg)])
    assert result.exit_code == 2
    assert result.stderr.startswith("mlready: error: mlready.yaml: YAML aliases expand beyond")
