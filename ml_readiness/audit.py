"""The audit: Repo → Facts → checks → scoring → AuditResult. No printing here."""

from __future__ import annotations

import datetime as dt
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from ml_readiness import __version__
from ml_readiness.config import Config, Gate, check_item_ids, load_config
from ml_readiness.errors import ConfigError, RubricError
from ml_readiness.evidence import Evidence, Finding, Hint
from ml_readiness.facts import Facts
from ml_readiness.linked import linked_tests_hook
from ml_readiness.registry import load_checks, load_errors
from ml_readiness.repo import DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_FILES, Repo
from ml_readiness.result import AuditResult
from ml_readiness.rubric import load_rubric
from ml_readiness.scoring import (
    AttestationOutcome,
    decide_gate,
    judge_attestation,
    overall_of,
    score_item,
    score_sections,
)
from ml_readiness.unused import drop_unused

Progress = Callable[[str], None]


@dataclass(frozen=True)
class AuditOptions:
    """What the command line adds to (or takes away from) the project's config."""

    as_of: dt.date | None = None
    exclude: tuple[str, ...] = ()
    strict: bool = False
    rubric: str | None = None
    fail_under: float | None = None
    section_min: tuple[tuple[str, float], ...] = ()
    max_file_bytes: int | None = None
    max_files: int | None = None
    repo_url: str | None = None
    extra_failures: tuple[str, ...] = ()
    hooks: tuple[Callable[[AuditContext], None], ...] = field(default=(), compare=False)


@dataclass
class AuditContext:
    """Everything built during one audit, handed to optional hooks (e.g. data validation)."""

    root: Path
    config: Config
    repo: Repo
    facts: Facts
    produced: dict[str, list[Evidence | Finding | Hint]]
    extras: dict
    extra_failures: list[str]


def effective_config(root: Path, options: AuditOptions) -> Config:
    """The project's config (ignored entirely under --strict) with CLI options applied."""
    config = Config() if options.strict else load_config(root)
    gate = config.gate
    if options.fail_under is not None:
        gate = replace(gate, fail_under=options.fail_under)
    if options.section_min:
        merged = dict(gate.section_min)
        merged.update(dict(options.section_min))
        gate = replace(gate, section_min=tuple(sorted(merged.items())))
    return replace(config, gate=gate, exclude=config.exclude + options.exclude)


def run_audit(
    path: str | Path, options: AuditOptions | None = None, progress: Progress | None = None
) -> AuditResult:
    """Audit the repository at `path`. Raises MlreadyError subclasses for bad user input."""
    options = options or AuditOptions()
    say = progress or (lambda _msg: None)
    root = Path(path)
    repo_probe = Repo.open  # validates the path before anything else
    if not root.is_dir():
        repo_probe(root)  # raises the precise UsageError
    config = effective_config(root, options)
    try:
        rubric = load_rubric(options.rubric or _repo_rubric(root, config))
    except RubricError as exc:
        if options.rubric or not config.rubric or "rubric not found" not in exc.message:
            raise
        raise ConfigError(
            f"rubric {config.rubric!r} not found (a shipped rubric name such as "
            "'ml-test-score', or a path inside the repository)",
            config.source,
            config.lines.get("rubric"),
        ) from None
    check_item_ids(config, {i.id for i in rubric.items})
    as_of = options.as_of or dt.date.today()
    checks = load_checks()
    say("indexing files")
    repo = Repo.open(
        root,
        excludes=config.exclude,
        max_file_bytes=options.max_file_bytes or config.max_file_bytes or DEFAULT_MAX_FILE_BYTES,
        max_files=options.max_files or config.max_files or DEFAULT_MAX_FILES,
    )
    facts = Facts(repo, config, as_of)
    say("resolving automation")
    automation = facts.automation
    produced: dict[str, list[Evidence | Finding | Hint]] = {i.id: [] for i in rubric.items}
    check_notes: list[dict] = []
    say("running checks")
    for spec in checks:
        if not any(i in produced for i in spec.items):
            continue
        try:
            for value in spec.run(facts):
                if value.item in produced:
                    produced[value.item].append(value)
        except Exception as exc:  # a broken check is a note, never a crashed audit
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            check_notes.append(
                {
                    "path": f"<check {spec.id}>",
                    "message": f"check failed: {type(exc).__name__}: {exc} "
                    f"({Path(frame.filename).name}:{frame.lineno})",
                }
            )
    extras: dict = {}
    failures = list(options.extra_failures)
    ctx = AuditContext(root, config, repo, facts, produced, extras, failures)
    linked_tests_hook(ctx)  # tests linked with @pytest.mark.mlready, for any rubric item
    for hook in options.hooks:
        hook(ctx)
    drop_unused(facts, produced)  # evidence in a function nothing calls is an unused definition
    say("scoring")
    attestations = {
        a.item: judge_attestation(a, repo, automation, as_of) for a in config.attestations
    }
    overrides = {o.item: o for o in config.overrides}
    not_applicable = {n.item: n for n in config.not_applicable}
    required = dict(config.gate.require)
    items = tuple(
        score_item(
            item,
            produced[item.id],
            automation,
            attestations.get(item.id),
            overrides.get(item.id),
            not_applicable.get(item.id),
            required.get(item.id) or item.require,
        )
        for item in rubric.items
    )
    sections = score_sections(rubric, items)
    overall = overall_of(rubric, sections)
    relied = _relied_on(attestations.values(), config)
    gate = decide_gate(config, items, sections, overall, relied, failures)
    say("done")
    notes = sorted({(n.path, n.message) for n in repo.notes})
    notes_json = [{"path": p, "message": m} for p, m in notes] + check_notes
    notes_json += [
        {"path": f"<plugin {name}>", "message": f"could not load: {msg}"}
        for name, msg in load_errors
    ]
    return AuditResult(
        tool={"name": "ml-readiness", "version": __version__},
        rubric={
            "id": rubric.id,
            "version": rubric.version,
            "title": rubric.title,
            "extends": rubric.extends,
            "dropped": list(rubric.dropped),
        },
        as_of=as_of.isoformat(),
        root=repo.root.name,
        items=items,
        sections=sections,
        overall=overall,
        gate=gate,
        commit=repo.commit,
        repo_url=options.repo_url or config.repo_url or _web_url(repo.remote_url),
        repo_prefix=repo.prefix,
        strict=options.strict,
        attestations=tuple(a.to_json() for a in attestations.values()),
        overrides=tuple(
            {"item": o.item, "max_level": o.max_level, "reason": o.reason} for o in config.overrides
        ),
        not_applicable=tuple({"item": n.item, "reason": n.reason} for n in config.not_applicable),
        automation=_automation_summary(automation),
        notes=tuple(notes_json),
        extras=extras,
    )


def _repo_rubric(root: Path, config: Config) -> str | None:
    """A config's rubric: a shipped name, or a path relative to the audited root (kept inside)."""
    name = config.rubric
    if not name or not name.endswith((".yaml", ".yml")) and "/" not in name:
        return name
    candidate = (root / name).resolve()
    if root.resolve() not in candidate.parents:
        raise ConfigError(
            f"rubric {name!r} is outside the audited repository",
            config.source,
            config.lines.get("rubric"),
        )
    return str(candidate)


def _relied_on(attestations: object, config: Config) -> list[str]:
    out = []
    for outcome in attestations:  # type: ignore[attr-defined]
        assert isinstance(outcome, AttestationOutcome)
        a = outcome.attestation
        out.append(f"attestation {a.item} ({a.level}, {a.evidence}): {outcome.status}")
    out += [f"not applicable {n.item}: {n.reason}" for n in config.not_applicable]
    out += [f"override {o.item} max {o.max_level}: {o.reason}" for o in config.overrides]
    if config.source and config.gate != Gate():
        out.append(f"gate settings from {config.source}")
    return out


def _automation_summary(automation: object) -> dict:
    data = automation.to_json()  # type: ignore[attr-defined]
    return {"roots": data["roots"], "unresolved": data["unresolved"]}


def _web_url(remote: str | None) -> str | None:
    """https URL of a GitHub/GitLab/Bitbucket remote (credentials stripped), else None."""
    if not remote:
        return None
    url = remote.strip()
    if url.startswith("git@") and ":" in url:
        host, _, rest = url[4:].partition(":")
        url = f"https://{host}/{rest}"
    if not url.startswith(("https://", "http://")):
        return None
    scheme, _, rest = url.partition("://")
    rest = rest.split("@", 1)[-1]  # drop user:token@
    if rest.endswith(".git"):
        rest = rest[:-4]
    host = rest.split("/", 1)[0]
    if not any(h in host for h in ("github", "gitlab", "bitbucket")):
        return None
    return f"https://{rest}"


__all__ = ["AuditOptions", "AuditContext", "run_audit", "effective_config", "DEFAULT_MAX_FILES"]


def describe_config(path: str | Path, options: AuditOptions) -> list[tuple[str, object, str]]:
    """(key, effective value, where it came from: default, the config file, or the CLI)."""
    root = Path(path)
    if not root.is_dir():
        Repo.open(root)  # raises the precise UsageError
    file_config = Config() if options.strict else load_config(root)
    source = file_config.source or "-"
    effective = effective_config(root, options)
    rows: list[tuple[str, object, str]] = []

    def add(key: str, value: object, from_cli: bool, in_file: bool) -> None:
        origin = "cli" if from_cli else (source if in_file else "default")
        rows.append((key, value, origin))

    add(
        "rubric",
        options.rubric or file_config.rubric or "ml-test-score",
        options.rubric is not None,
        file_config.rubric is not None,
    )
    add(
        "gate.fail_under",
        effective.gate.fail_under,
        options.fail_under is not None,
        file_config.gate.fail_under is not None,
    )
    cli_sections = dict(options.section_min)
    for section, minimum in effective.gate.section_min:
        add(f"gate.section_min.{section}", minimum, section in cli_sections, True)
    for item, level in effective.gate.require:
        add(f"gate.require.{item}", level, False, True)
    add("exclude", list(effective.exclude), bool(options.exclude), bool(file_config.exclude))
    add(
        "max_file_bytes",
        options.max_file_bytes or file_config.max_file_bytes or DEFAULT_MAX_FILE_BYTES,
        options.max_file_bytes is not None,
        file_config.max_file_bytes is not None,
    )
    add(
        "max_files",
        options.max_files or file_config.max_files or DEFAULT_MAX_FILES,
        options.max_files is not None,
        file_config.max_files is not None,
    )
    add(
        "max_model_age_days",
        file_config.max_model_age_days,
        False,
        file_config.max_model_age_days is not None,
    )
    add("strict", options.strict, options.strict, False)
    for a in file_config.attestations:
        add(
            f"attestations.{a.item}",
            f"{a.level}: {a.evidence} ({a.owner}, expires {a.expires.isoformat()})",
            False,
            True,
        )
    for n in file_config.not_applicable:
        add(f"not_applicable.{n.item}", n.reason, False, True)
    for o in file_config.overrides:
        add(f"overrides.{o.item}", f"max {o.max_level}: {o.reason}", False, True)
    return rows
