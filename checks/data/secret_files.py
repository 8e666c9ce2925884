"""data-5 negative evidence: credential files committed to the repository (an access token, a
private key, a credentials file), editor backups of them included (`.slack_token~`)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ml_readiness.evidence import Finding
from ml_readiness.facts import Facts, is_example_config, is_test_path
from ml_readiness.registry import check

ITEM = "data-5"
# Editor and manual backups that keep the original's content.
BACKUP_SUFFIX = re.compile(r"(~|\.bak|\.swp|\.swo|\.orig|\.old)$", re.I)
# Names that say "this file holds a credential": `.slack_token`, `github-token.txt`,
# `aws_secret`, `credentials.json`, `secrets.yaml`, `*.pem`, `id_rsa`. A tokenizer, a tokens
# list (`special_tokens.txt`, `bos_token.txt`) or a `secret_scanning.md` is not one.
CREDENTIAL_NAME = re.compile(
    r"^\.?(?!(special|added|bos|eos|pad|unk|cls|sep|mask|vocab)[_-])"
    r"[a-z0-9]+([_-][a-z0-9]+)*[_-](token|secrets?|api[_-]?key|access[_-]?key)"
    r"(\.(txt|json|ya?ml|cfg|ini))?$"
    r"|^\.?(credentials|secrets?|service[_-]account)(\.(json|ya?ml|txt|cfg|ini|toml))?$"
    r"|\.(pem|p12|pfx)$"
    r"|^id_(rsa|dsa|ecdsa|ed25519)$",
    re.I,
)


# every CREDENTIAL_NAME match holds one of these (lower-cased): the paths to look at
NAME_WORDS = ("token", "secret", "key", "credential", "account", ".pem", ".p12", ".pfx", "id_")


@check(ITEM)
def committed_credentials(facts: Facts) -> Iterator[Finding]:
    """Credential files committed to the repository (a finding; no level cap).

    Reports committed files whose names mark a credential: `*_token`/`*-secret`/`*_api_key`
    files (`.slack_token`), `credentials.json`, `secrets.yaml`, service-account files, private
    keys (`*.pem`, `*.p12`, `id_rsa`), and editor backups of them (`~`, `.bak`, `.swp`), which
    a `.gitignore` written for the original name often misses. Example copies and test files
    are left out; empty files are ignored. The content is never read or shown.
    """
    for path in facts.repo.paths_containing(*NAME_WORDS, lower=True):
        if path.startswith("../") or is_example_config(path) or is_test_path(path):
            continue
        base = BACKUP_SUFFIX.sub("", path.rsplit("/", 1)[-1])
        if not CREDENTIAL_NAME.search(base) or not (facts.repo.size(path) or 0):
            continue
        backup = " (an editor backup of one)" if base != path.rsplit("/", 1)[-1] else ""
        yield Finding(
            ITEM,
            f"credential file committed: `{path}`{backup}; remove it from the repository and "
            "its history, rotate the credential, and ignore the name with its backups",
            path,
            None,
        )
