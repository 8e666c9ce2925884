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
MASKING_FUNCTION = re.compile(
    r"(mask|anonymi[sz]|pseudonymi[sz]|redact|scrub|hash_(pii|id|email))", re.I
)
# What makes a masking function privacy code: it names personal data (in its own name, or in
# the column names its body or its callers use). A boolean `mask` over values is not one.
PII_TERM = (
    r"e_?mail|phone|mobile|ssn|social_security|national_?id|passport|pii|personal|"
    r"(user|customer|client|account|patient|member|person)_?ids?|"
    r"(first|last|full|given|family|sur|user|customer|patient|contact)_?names?|"
    r"(postal_|home_|street_|mailing_)?address|ip_?addr\w*|date_of_birth|birth_?date|\bdob\b"
)
PII_NAME = re.compile(rf"({PII_TERM})", re.I)
PII_COLUMN = re.compile(rf"""["'](\w*(?:{PII_TERM})\w*|name|ip|dob)["']""", re.I)
# .gitignore entries that keep data out of git (normalised: no leading `/` or `**/`, no trailing
# `/`, `/*`, `/**`): a data folder at any depth, or data files by extension
DATA_FOLDER = re.compile(
    r"(data|datasets?|raw|raw[_-]data|processed|interim|[a-z]+[_-]data|data[_-][a-z0-9]+|"
    r"dvc[_-]?(storage|store|remote))",
    re.I,
)
DATA_FILE = re.compile(
    r"[^/]*\.(csv|parquet|tsv|jsonl|feather|h5|hdf5|pkl|npy|npz|arrow|tfrecords?)(\.gz)?", re.I
)
NOT_DATA_GLOB = re.compile(r"\.(lock|log|tmp|swp|bak|pid|journal|sqlite-journal)$", re.I)
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


def scrubbers(facts: Facts) -> Iterator[Evidence]:
    """scrubadub PII removal called on the data path (a known anonymisation API)."""
    for path, pf in facts.python_files(mentions=("scrubadub",), notebooks=True, tests=False):
        for call in calls_from(pf, ("scrubadub",), ("clean",)) + [
            c for c in pf.method_calls("clean") if "scrubber" in c.name.lower()
        ]:
            yield call_evidence(ITEM, path, call, f"scrubadub PII removal `{call.name}`")
            break


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
            cols = sorted({m.group(1) for m in PII_COLUMN.finditer(code_lines(text))})
            if cols:
                detail = f"identifier columns {', '.join(cols)} hashed with `{call.name}`"
                yield call_evidence(ITEM, path, call, detail)


def masking(facts: Facts) -> Iterator[Evidence | Hint]:
    """Masking/anonymisation functions of personal data, defined and called from code.

    The function must be about personal data: its name says so (`mask_email`,
    `anonymise_user_ids`, `redact_pii`), or its body or a call site names identifier columns
    (`"email"`, `"user_id"`, `"phone"` ...). A `mask` that only builds a boolean selection
    (`_str_mask_predicate`, `attention_mask`) is not anonymisation."""
    defined = {}
    for path, pf in facts.python_files(
        mentions=("mask", "anonym", "pseudonym", "redact", "scrub"), tests=False
    ):
        for fn in pf.functions:
            if MASKING_FUNCTION.search(fn.name) and fn.class_name is None:
                defined[fn.name] = (path, fn)
    if not defined:
        return
    sites: dict[str, list[str]] = {}
    for path, pf in facts.python_files(mentions=tuple(defined), notebooks=True):
        lines = [] if path.endswith(".ipynb") else facts.lines(path)
        for c in pf.calls:
            name = c.attr
            if c.attr in ("apply", "map", "transform") and c.args:
                arg = c.args[0]
                if isinstance(arg, str) and arg.startswith("$"):
                    name = arg[1:].rsplit(".", 1)[-1]
            if name in defined:
                text = lines[c.line - 1] if 0 < c.line <= len(lines) else ""
                sites.setdefault(name, []).append(text)
    refused = []
    for name in sorted(sites):
        path, fn = defined[name]
        why = _personal_data(name, function_text(facts, path, fn), sites[name])
        if why is None:
            refused.append(f"`{name}` ({path}:{fn.line})")
            continue
        yield Evidence(
            ITEM,
            f"masking/anonymisation function `{name}` applied to {why} on the data path",
            path,
            fn.line,
            kind="code",
            symbol=fn.qualname,
        )
    if refused:
        more = f" (+{len(refused) - 3} more)" if len(refused) > 3 else ""
        yield Hint(
            ITEM,
            f"{', '.join(refused[:3])}{more} mask values but name no personal data (no "
            "identifier column such as email/user_id/phone); not credited as anonymisation",
        )


def _personal_data(name: str, body: str, call_lines: list[str]) -> str | None:
    """What personal data a masking function handles (`identifier columns email`), or None."""
    m = PII_NAME.search(name)
    if m:
        return f"personal data (`{m.group(1).lower()}`)"
    cols = sorted(
        {c.group(1) for c in PII_COLUMN.finditer(code_lines(body + "\n" + "\n".join(call_lines)))}
    )
    if cols:
        return f"identifier columns {', '.join(cols[:4])}"
    return None


def ignores_data(entry: str, folder: str = "") -> bool:
    """True when the .gitignore entry `entry` (in a .gitignore in `folder`) keeps data out of
    git: its last path component is a data folder at any depth (`data/`, `app/data`,
    `**/data/`, `src/data/raw`), or data files (`*.csv`, `data/**/*.parquet`), or it ignores a
    sub-folder or all files of a data folder (`data/*`, `data/qdrant_db/`). One non-data file
    inside a data folder (`data/index/.lock`, `data/.gitkeep`) does not count, and neither do
    negations or comments."""
    entry = entry.strip()
    if not entry or entry.startswith(("#", "!")):
        return False
    folder_like = entry.endswith("/") or entry.endswith("/*") or entry.endswith("/**")
    while entry.endswith(("/", "/*", "/**")):
        entry = entry.removesuffix("/").removesuffix("/*").removesuffix("/**").rstrip("/")
    entry = re.sub(r"^(/|\*\*/)+", "", entry)
    parts = [p for p in (folder.strip("/") + "/" + entry).split("/") if p and p != "**"]
    if not parts:
        return False
    last = parts[-1]
    if DATA_FOLDER.fullmatch(last) or DATA_FILE.fullmatch(last):
        return True
    in_data = any(DATA_FOLDER.fullmatch(p) for p in parts[:-1])
    glob = "*" in last and not NOT_DATA_GLOB.search(last)
    return in_data and (glob or folder_like or "." not in last)


def data_out_of_git(facts: Facts) -> Iterator[Evidence | Hint]:
    ignores = []
    for path in facts.repo.named(".gitignore"):
        folder = path.rsplit("/", 1)[0] if "/" in path else ""
        for number, line in enumerate(facts.lines(path), start=1):
            if ignores_data(line, folder):
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
    elif ignores:
        path, line, entry = ignores[0]
        dvc = facts.repo.glob(".dvc/config", "*/.dvc/config", "*.dvc", "dvc.yaml", "*/dvc.yaml")
        missing = (
            "DVC is set up but no remote is configured in .dvc/config"
            if dvc
            else "no DVC remote or Git LFS stores the data"
        )
        yield Hint(
            ITEM,
            f"data kept out of git needs both a .gitignore entry for the data folder and a "
            f"DVC remote or Git LFS: `{entry}` is ignored ({path}:{line}); {missing}",
        )
    elif remote:
        yield Hint(
            ITEM,
            f"data kept out of git needs both a .gitignore entry for the data folder and a "
            f"DVC remote or Git LFS: {remote} is configured, but no .gitignore entry keeps the "
            "data folder out of git",
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
    pseudonymisation functions of personal data that are called — named for it or handling
    identifier columns, not boolean `mask` helpers —, scrubadub), data kept out of git (a
    .gitignore entry for a data folder at any depth or for data files — not one non-data file
    inside a data folder such as `data/index/.lock` — AND a DVC remote or Git LFS), documented
    access/retention/privacy rules (Markdown sections with substance) and secret scanning
    (gitleaks/trufflehog/detect-secrets in pre-commit or a CI workflow). Committed personal
    data is checked by `committed-personal-data`, which caps the item at none.
    """
    found = False
    for source in (presidio, scrubbers, hashing, masking, data_out_of_git, secret_scanning):
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
