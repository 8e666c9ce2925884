"""data-5 (round 7, Z / REVIEW-R extra observation): a committed credential file (here an
editor backup `.slack_token~` that the `.gitignore` pattern `*.~` misses) is reported as a
finding; tokenizer files, token lists, example copies and test fixtures are not."""

from __future__ import annotations

from tests.checks.data.util import findings
from tests.helpers import make_repo, run_check

CHECK = "committed-credentials"


def test_committed_token_backup_and_key_are_findings(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {
            ".gitignore": "*.~\n",
            ".slack_token~": "xoxb-not-a-real-token\n",
            "deploy/service-account.json": '{"type": "service_account"}\n',
            "certs/server.pem": "-----BEGIN PRIVATE KEY-----\n",
        },
        git=True,
    )
    out = run_check(root, CHECK)
    assert findings(out) == [
        (".slack_token~", None, None),
        ("certs/server.pem", None, None),
        ("deploy/service-account.json", None, None),
    ]
    assert [f.detail for f in out][0] == (
        "credential file committed: `.slack_token~` (an editor backup of one); remove it from "
        "the repository and its history, rotate the credential, and ignore the name with its "
        "backups"
    )


def test_trap_tokenizers_token_lists_examples_and_fixtures(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {
            "models/tokenizer.json": '{"model": {}}\n',
            "data/special_tokens.txt": "[CLS]\n[SEP]\n",
            "model/bos_token.txt": "<s>\n",
            "docs/secret_scanning.md": "# Secret scanning\n",
            ".secrets.example": "API_KEY=\n",
            "tests/fixtures/fake_token.txt": "abc\n",
            "empty_token": "",
        },
        git=True,
    )
    assert findings(run_check(root, CHECK)) == []
