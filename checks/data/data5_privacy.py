"""data-5: privacy controls on the data path (the negative side lives in pii.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ml_readiness.checklib import call_evidence, doc_evidence, doc_sections, iter_yaml_files
from ml_readiness.evidence import Evidence, Hint
from ml_readiness.facts import Facts, is_test_path
from ml_readiness.registry import check

from ._shared import calls_from, code_lines, command_sites, function_text

ITEM = "data-5"
HASHES = ("sha256", "sha1", "sha512", "md5", "blake2b", "blake2s", "sha3_256", "new")
IDENTIFIER = re.compile(
    r"""["'](\w*(email|e_mail|user_?id|customer_?id|client_?id|account_?id|phone|ssn|"""
    r"""national_?id|patient_?id|name|address|ip_?address)\w*)["']""",
    re.I,
)
MASKING_FUNCTION = re.compile(
    r"(mask|anonymi[sz]e|pseudonymi[sz]e|redact|scrub|hash_(pii|id|email))", re.I
)
DATA_IGNORE = re.compile(
    r"^/?(data|datasets?|raw|\S*\.(csv|parquet|tsv|jsonl|feather|h5|pkl))(/.*)?$"
)
PRIVACY_DOCS = (
    r"privacy|personal data|\bpii\b|gdpr|data (access|retention|protection|deletion)|"
    r"retention|access control"
)
DVC_REMOTE = re.compile(r"""^\s*\[\s*'?remote\s+"([^"]+)"'?\s*\]""", re.M)
SECRET_SCANNERS = ("gitleaks", "trufflehog", "detect-secrets", "detect_secrets", "ggshield")


def presidio(facts: Facts) -> Iterator[Evidence]:
    for path, pf in facts.python_files(mentions=("presidio",), notebooks=True):
        for call in pf.method_calls("analyze", "anonymize", "deanonymize"):
            engines = calls_from(
                pf,
                ("presidio_analyzer", "presidio_anonymizer"),
                (
                    "AnalyzerEngine",
                    "AnonymizerEngine",
                    "BatchAnalyzerEngine",
                    "BatchAnonymizerEngine",
                ),
            )
            if engines and not is_test_path(path):
                what = "PII detection" if call.attr == "analyze" else "anonymisation"
                yield call_evidence(
                    ITEM, path, call, f"presidio {what} `{call.name}` on the data path"
                )


def hashing(facts: Facts) -> Iterator[Evidence]:
    """hashlib digests applied to identifier columns (pseudonymisation)."""
    for path, pf in facts.python_files(mentions=("hashlib",), tests=False):
        lines = [] if path.endswith(".ipynb") else facts.lines(path)
        for call in calls_from(pf, ("hashlib",), HASHES):
            fn = pf.function(call.scope)
            if fn is not None:
                users = [ln for ln in lines if re.search(rf"\b{re.escape(fn.name)}\b", ln)]
                text = function_text(facts, path, fn) + "\n" + "\n".join(users)
            else:
                text = "\n".join(lines[max(0, call.line - 3) : call.line + 2])
            cols = sorted({m.group(1) for m in IDENTIFIER.finditer(code_lines(text))})
            if cols:
                detail = f"identifier columns {', '.join(cols)} hashed with `{call.name}`"
                yield call_evidence(ITEM, path, call, detail)


def masking(facts: Facts) -> Iterator[Evidence]:
    """Masking/anonymisation functions defined and called from code."""
    defined = {}
    for path, pf in facts.python_files(
        mentions=("mask", "anonym", "pseudonym", "redact", "scrub"), tests=False
    ):
        for fn in pf.functions:
            if MASKING_FUNCTION.search(fn.name) and fn.class_name is None:
                defined[fn.name] = (path, fn)
    if not defined:
        return
    called = set()
    for _path, pf in facts.python_files(mentions=tuple(defined), notebooks=True):
        called |= {c.attr for c in pf.calls if c.attr in defined} | {
            c.args[0][1:].rsplit(".", 1)[-1]
            for c in pf.calls
            if c.attr in ("apply", "map")
            and c.args
            and isinstance(c.args[0], str)
            and c.args[0].startswith("$")
        }
    for name in sorted(called & set(defined)):
        path, fn = defined[name]
        yield Evidence(
            ITEM,
            f"masking/anonymisation function `{name}` used on the data path",
            path,
            fn.line,
            kind="code",
            symbol=fn.qualname,
        )


def data_out_of_git(facts: Facts) -> Iterator[Evidence | Hint]:
    ignores = []
    for path in facts.repo.named(".gitignore"):
        for number, line in enumerate(facts.lines(path), start=1):
            if DATA_IGNORE.match(line.strip()):
                ignores.append((path, number, line.strip()))
    remote = None
    for path in facts.repo.glob(".dvc/config", "*/.dvc/config"):
        for _p, _line, text in facts.grep(DVC_REMOTE, [path]):
            remote = remote or f"DVC remote {DVC_REMOTE.search(text).group(1)} ({path})"
    for path in facts.repo.named(".gitattributes"):
        if facts.mentions(path, "filter=lfs"):
            remote = remote or f"Git LFS ({path})"
    if ignores and remote:
        path, line, entry = ignores[0]
        yield Evidence(
            ITEM,
            f"data kept out of git: `{entry}` ignored and stored via {remote}",
            path,
            line,
            kind="config",
            credit="manual",
        )
    elif ignores or remote:
        yield Hint(
            ITEM,
            "data kept out of git needs both a .gitignore entry for the data folder and a "
            "DVC remote or Git LFS; only one was found",
        )


def secret_scanning(facts: Facts) -> Iterator[Evidence]:
    for path, doc in iter_yaml_files(facts, ".pre-commit-config.yaml", "*/.pre-commit-config.yaml"):
        repos = doc.get("repos") if isinstance(doc, dict) else None
        for repo in repos if isinstance(repos, list) else []:
            hooks = repo.get("hooks") if isinstance(repo, dict) else None
            for hook in hooks if isinstance(hooks, list) else []:
                hid = str(hook.get("id", "")) if isinstance(hook, dict) else ""
                if hid in SECRET_SCANNERS:
                    yield Evidence(
                        ITEM,
                        f"secret scanning: pre-commit hook `{hid}`",
                        path,
                        getattr(hook, "line", None),
                        kind="config",
                        credit="automated",
                    )
    for path, line, text in command_sites(facts, "|".join(SECRET_SCANNERS)):
        if facts.repo.logical(path).startswith(".github/workflows/"):
            tool = next(t for t in SECRET_SCANNERS if t in text)
            yield Evidence(
                ITEM,
                f"secret scanning in CI: `{tool}`",
                path,
                line,
                kind="config",
                credit="automated",
            )


@check("data-5")
def privacy_controls(facts: Facts) -> Iterator[Evidence | Hint]:
    """Privacy controls on the data path.

    Credits PII detection/anonymisation code (presidio AnalyzerEngine/AnonymizerEngine calls,
    hashlib digests applied to identifier columns such as email/user_id, masking or
    pseudonymisation functions that are called), data kept out of git (a .gitignore entry for
    data AND a DVC remote or Git LFS), documented access/retention/privacy rules (Markdown
    sections with substance) and secret scanning (gitleaks/trufflehog/detect-secrets in
    pre-commit or a CI workflow). Committed personal data is checked by
    `committed-personal-data`, which caps the item at none.
    """
    found = False
    for source in (presidio, hashing, masking, data_out_of_git, secret_scanning):
        for produced in source(facts):
            found = found or isinstance(produced, Evidence)
            yield produced
    for path, section in doc_sections(facts, PRIVACY_DOCS):
        found = True
        yield doc_evidence(ITEM, path, section, f'documented privacy rules: "{section.title}"')
    if not found:
        yield Hint(
            ITEM,
            "no privacy controls found: looked for presidio/hashing/masking of identifiers, "
            ".gitignore'd data with a DVC/LFS remote, access or retention docs and secret "
            "scanning",
        )
