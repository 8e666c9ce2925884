"""Review routes for model specs (model-1): CODEOWNERS coverage, PR templates, review docs, and
tests that load every model config. No check lives here."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ml_readiness.checks.model._shared import in_scope
from ml_readiness.checks.model.codeowners import (
    CODEOWNERS_LOCATIONS,
    OwnerRule,
    owning_rule,
    parse_codeowners,
)

from ml_readiness.automation.pytest_fixtures import fixtures_of
from ml_readiness.checklib import always_skipped, doc_sections
from ml_readiness.evidence import Evidence
from ml_readiness.facts import Facts, is_example_config, is_test_path
from ml_readiness.facts.imports import module_index
from ml_readiness.facts.python import Call, Function, PythonFacts

MODEL_FILE_NAMES = frozenset({"model.py", "models.py", "train.py", "training.py", "network.py"})
MODEL_DIRS = frozenset({"model", "models", "modeling", "modelling", "networks"})
MODEL_BASES = (
    "torch.nn.Module",
    "nn.Module",
    "lightning.LightningModule",
    "pytorch_lightning.LightningModule",
    "LightningModule",
    "tensorflow.keras.Model",
    "keras.Model",
    "sklearn.base.BaseEstimator",
    "transformers.PreTrainedModel",
)
REVIEW_WORDS = re.compile(r"\b(model|models|metrics?|evaluation|eval|hyperparameters?)\b", re.I)
CHECKLIST = re.compile(r"^\s*[-*+]\s*\[[ xX]\]\s+(.+)$")
HEADING = re.compile(r"^\s*#{1,6}\s+(.+?)\s*#*\s*$")
LOADERS = frozenset(
    {
        "yaml.safe_load",
        "yaml.load",
        "yaml.full_load",
        "yaml.safe_load_all",
        "omegaconf.OmegaConf.load",
        "json.load",
        "json.loads",
        "tomllib.load",
        "toml.load",
        "hydra.utils.instantiate",
    }
)
HYDRA = (
    "hydra.compose",
    "hydra.initialize",
    "hydra.initialize_config_dir",
    "hydra.initialize_config_module",
)
LISTING = frozenset({"glob", "rglob", "iglob", "iterdir", "listdir", "walk", "scandir"})
# What a config-listing test must name to be about model specs (not alert rules, admission
# policies or every YAML file of the repository).
SPEC_WORDS = re.compile(
    r"(^|[/_.\-\s*])(conf|configs?|params|models?|modules?|networks?|train\w*|experiments?|"
    r"hparams|hyperparam\w*|estimators?|learning_rate|n_estimators|max_depth|epochs|"
    r"batch_size)([/_.\-\s*]|$)",
    re.I,
)
INSTANTIATE = frozenset({"hydra.utils.instantiate", "hydra.utils.call"})
MODEL_CONFIG = re.compile(r"[.$_](model|module|network|net|estimator|classifier|regressor)(\.|$)")
MODEL_BUILDER = re.compile(
    r"^(build|make|create|get|init|construct|setup)_?\w*(model|pipeline|estimator|net|network|"
    r"classifier|regressor|module)s?$",
    re.I,
)


def model_code_paths(facts: Facts) -> list[str]:
    """Python files that define or train models (by name, folder or model base class)."""
    out = set()
    for path in facts.repo.with_suffix(".py"):
        if path.startswith("../") or is_test_path(path):
            continue
        parts = path.split("/")
        if parts[-1] in MODEL_FILE_NAMES or MODEL_DIRS.intersection(parts[:-1]):
            out.add(path)
    for path, pf in facts.python_files(mentions=("Module", "Model", "BaseEstimator"), tests=False):
        if path.startswith("../"):
            continue
        if any(b in MODEL_BASES or b.endswith(MODEL_BASES) for c in pf.classes for b in c.bases):
            out.add(path)
    return sorted(out)


@dataclass
class Coverage:
    """Which model paths a CODEOWNERS file assigns owners to."""

    path: str
    covered: list[tuple[str, OwnerRule]] = field(default_factory=list)
    uncovered: list[str] = field(default_factory=list)

    def evidence(self, item: str) -> Evidence:
        shown = ", ".join(f"{p} ({' '.join(r.owners)})" for p, r in self.covered[:4])
        more = f" (+{len(self.covered) - 4} more)" if len(self.covered) > 4 else ""
        total = len(self.covered) + len(self.uncovered)
        detail = f"CODEOWNERS assigns reviewers to {len(self.covered)} of {total} model paths: "
        detail += shown + more
        if self.uncovered:
            detail += f"; not covered: {', '.join(self.uncovered[:3])}"
            detail += " ..." if len(self.uncovered) > 3 else ""
        line = min(r.line for _, r in self.covered)
        return Evidence(item, detail, self.path, line, "config", "manual")

    def why_not(self) -> str:
        shown = ", ".join(self.uncovered[:4]) or "none found"
        return (
            f"{self.path} assigns owners to none of the model code or config paths "
            f"({shown}); a CODEOWNERS that covers other files only is no review route for models"
        )


def codeowners_file(facts: Facts) -> str | None:
    """The CODEOWNERS file GitHub reads: `.github/`, then the top, then `docs/`.

    When the audited folder sits inside a larger repository, only that repository's top-level
    files count (GitHub never reads a CODEOWNERS in a subfolder)."""
    outer = facts.repo.outer_root is not None
    for location in CODEOWNERS_LOCATIONS:
        for path in facts.repo.files:
            if path.startswith("../") == outer and facts.repo.logical(path) == location:
                return path
    return None


def codeowners_coverage(facts: Facts, model_paths: list[str]) -> Coverage | None:
    """Coverage of `model_paths` by the effective CODEOWNERS (None when there is none)."""
    path = codeowners_file(facts)
    if path is None:
        return None
    rules = parse_codeowners(facts.text(path) or "")
    prefix = ""
    repo = facts.repo
    if repo.outer_root is not None:
        prefix = repo.root.relative_to(repo.outer_root).as_posix() + "/"
    result = Coverage(path)
    for model_path in model_paths:
        rule = owning_rule(rules, prefix + model_path)
        if rule is not None and rule.owners:
            result.covered.append((model_path, rule))
        else:
            result.uncovered.append(model_path)
    return result


def _pr_templates(facts: Facts) -> list[str]:
    out = []
    for path in facts.repo.files:
        low = facts.repo.logical(path).lower()
        if is_example_config(path) or not low.endswith(".md"):
            continue
        if low in (
            ".github/pull_request_template.md",
            "pull_request_template.md",
            "docs/pull_request_template.md",
        ) or re.fullmatch(r"\.github/pull_request_template/[^/]+\.md", low):
            out.append(path)
    return out


def _without_html_comments(text: str) -> str:
    return re.sub(r"<!--.*?-->", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)


def pr_template_items(facts: Facts, item: str) -> list[Evidence]:
    """A PR template heading or checklist item asking for model/metrics/evaluation review."""
    out = []
    for path in _pr_templates(facts):
        text = _without_html_comments(facts.text(path) or "")
        for number, line in enumerate(text.splitlines(), start=1):
            m = CHECKLIST.match(line) or HEADING.match(line)
            if m and REVIEW_WORDS.search(m.group(1)):
                out.append(
                    Evidence(
                        item,
                        f'PR template asks for model review: "{m.group(1).strip()[:80]}"',
                        path,
                        number,
                        "doc",
                        "manual",
                    )
                )
                break
    return out


def documented_review(facts: Facts, item: str) -> list[Evidence]:
    """A documented review process for model changes (a substantive "review" section)."""
    out = []
    templates = set(_pr_templates(facts))
    for path, section in doc_sections(facts, r"\breview(s|ing|ed)?\b"):
        if path in templates or "changelog" in path.lower():
            continue
        if REVIEW_WORDS.search(section.title) or re.search(
            r"\bmodel|hyperparameter|training config", section.body, re.I
        ):
            out.append(
                Evidence(
                    item,
                    f'documented model review process: section "{section.title}"',
                    path,
                    section.line,
                    "doc",
                    "manual",
                )
            )
    return out[:2]


APPROVAL_KWARGS = ("approval_status", "model_approval_status", "ModelApprovalStatus")
REGISTER_CALLS = frozenset(
    {"RegisterModel", "register", "ModelStep", "create_model_package", "ModelPackage"}
)
PENDING = "PendingManualApproval"


def registry_approval(facts: Facts, item: str) -> list[Evidence]:
    """A model registry that requires a human approval: models registered with
    `approval_status`/`ModelApprovalStatus` "PendingManualApproval" (SageMaker `RegisterModel`,
    `model.register(...)`, boto3 `create_model_package`), literally or through a pipeline
    parameter whose default is that status. Someone must approve each model version before it
    can be deployed: a review route (manual)."""
    out = []
    for path, pf in facts.python_files(mentions=(PENDING,), tests=False):
        if path.startswith("../") or is_example_config(path):
            continue
        literals = {
            v for c in pf.calls for v in (*c.args, *(v for _k, v in c.kwargs)) if v == PENDING
        }
        for call in pf.calls:
            if call.attr not in REGISTER_CALLS:
                continue
            status = next((call.kw(k) for k in APPROVAL_KWARGS if call.has_kw(k)), None)
            pending = isinstance(status, str) and (
                "Pending" in status or (status.startswith("$") and bool(literals))
            )
            if pending:
                detail = (
                    f"model registry requires human approval: `{call.name}` registers each "
                    f"model as {PENDING}"
                )
                out.append(Evidence(item, detail, path, call.line, "code", "manual"))
                break
    return out[:2]


def _fixture_hydra(facts: Facts, path: str, pf: PythonFacts, fn: Function) -> str | None:
    """The fixture (`cfg_train`, in conftest.py) through which a test gets configs that a
    fixture composes with Hydra, or None."""
    for label in fixtures_of(facts, path, pf, fn):
        where, _, qual = label.partition("::")
        other = facts.python(where)
        if other is None:
            continue
        if any(c.qualified in HYDRA for c in other.calls if in_scope(c, qual)):
            return f"`{qual}` ({where})"
    return None


def _project_loader(
    facts: Facts, path: str, pf: PythonFacts, calls: list[Call]
) -> tuple[str, str] | None:
    """(loader, file) when the test calls a function of a non-test module of the repository
    that reads a config file (`load_params` calling `yaml.safe_load`)."""
    index = module_index(facts)
    for call in calls:
        head = call.name.split(".", 1)[0]
        for imp in pf.imports:
            if imp.alias != head:
                continue
            for target in index.resolve(path, imp):
                if is_test_path(target):
                    continue
                other = facts.python(target)
                fn = other.function(call.attr) if other else None
                if fn is not None and any(
                    c.qualified in LOADERS for c in other.calls if in_scope(c, fn.qualname)
                ):
                    return call.attr, target
    return None


def _builds_model(calls: list[Call]) -> Call | None:
    """A call that builds the model: a project builder (`build_model(params)`) or a Hydra
    `instantiate` of a model/module/network config (not a datamodule or trainer)."""
    for c in calls:
        if MODEL_BUILDER.search(c.attr):
            return c
        arg = c.args[0] if c.args else None
        if c.qualified in INSTANTIATE and isinstance(arg, str) and MODEL_CONFIG.search(arg):
            return c
    return None


def _module_config(pf: PythonFacts) -> str | None:
    """A test module that reads a config file at import time (`CONFIG = yaml.safe_load(...)`
    with a config path among its strings)."""
    loads = [c for c in pf.calls if c.scope == "<module>" and c.qualified in LOADERS]
    if loads and any(re.search(r"conf|params|\.ya?ml$|\.json$", s) for s, _ in pf.strings):
        return loads[0].name
    return None


def _multirun_all(pf: PythonFacts, fn: Function) -> str | None:
    """`experiment=glob(*)` with `--multirun`/`-m` in a test: every experiment config run."""
    inside = [s for s, line in pf.strings if fn.line <= line <= fn.end_line]
    override = next((s for s in inside if re.search(r"^[\w./+]+=glob\(", s)), None)
    multirun = any(s in ("--multirun", "-m") for s, _ in pf.strings)
    return override if override and multirun else None


def _names_model_specs(pf: PythonFacts, fn: Function, calls: list[Call]) -> bool:
    """True when a config-listing test names model specs: a string inside the test, or a
    module constant it passes (`Path(CONFIG_DIR).glob(...)`), names a config/model/training
    location or a hyperparameter. A test that parses every YAML file of the repository, or
    lists alert rules or admission policies, checks syntax, not the model specs."""
    inside = [t for t, line in pf.strings if fn.line <= line <= fn.end_line]
    used = {
        v[1:]
        for c in calls
        for v in (*c.args, *(v for _, v in c.kwargs))
        if isinstance(v, str) and v.startswith("$")
    }
    constants = [
        a.value
        for a in pf.assigns
        if a.scope == "<module>" and a.name in used and isinstance(a.value, str)
    ]
    return any(SPEC_WORDS.search(t) for t in (*inside, *constants))


def config_loading_tests(facts: Facts, item: str) -> list[Evidence]:
    """Live tests that check the model specs: load every model config (a listing + a loader),
    compose Hydra configs (in the test or in a fixture it uses) and instantiate them, load the
    specs through the project's own loader and build the model from them, or run every
    experiment config (`--multirun experiment=glob(*)`)."""
    out = []
    tokens = (
        "safe_load",
        "OmegaConf",
        "json.load",
        "compose",
        "initialize",
        "tomllib",
        "toml",
        "instantiate",
        "params",
        "config",
        "glob(",
    )
    for path, pf in facts.python_files(mentions=tokens, tests=True):
        mentions_config = any(
            re.search(r"conf|params\.ya?ml|\.ya?ml|\.json", s) for s, _ in pf.strings
        )
        module_listing = any(c.attr in LISTING for c in pf.calls if c.scope == "<module>")
        for fn in pf.tests():
            if always_skipped(fn, pf):
                continue
            if fn.asserts == 0:
                # a test that runs every experiment config fails when a run fails: no assert
                # needed; anything else must assert
                multirun = _multirun_all(pf, fn)
                if multirun:
                    what = f"runs every experiment config (`--multirun {multirun}`)"
                    out.append(
                        Evidence(
                            item, f"test {what}", path, fn.line, "test", "automated", fn.qualname
                        )
                    )
                continue
            calls = [
                c
                for c in pf.calls
                if c.scope == fn.qualname or c.scope.startswith(fn.qualname + ".")
            ]
            hydra = [c for c in calls if c.qualified in HYDRA]
            loads = [c for c in calls if c.qualified in LOADERS]
            listing = any(c.attr in LISTING for c in calls) or (
                module_listing and fn.marker("parametrize") is not None
            )
            built = _builds_model(calls)
            fixture = _fixture_hydra(facts, path, pf, fn) if built and not hydra else None
            loader = _project_loader(facts, path, pf, calls) if built and not hydra else None
            at_import = _module_config(pf) if built and not (hydra or loader) else None
            multirun = _multirun_all(pf, fn)
            if hydra:
                what = f"composes Hydra configs (`{hydra[0].name}`)"
            elif loads and listing and mentions_config and _names_model_specs(pf, fn, calls):
                what = f"loads every model config file (`{loads[0].name}`)"
            elif fixture and built:
                what = (
                    f"instantiates the Hydra configs composed by fixture {fixture} (`{built.name}`)"
                )
            elif loader and built:
                what = (
                    f"loads the model spec with the project's `{loader[0]}` ({loader[1]}) and "
                    f"builds the model (`{built.name}`)"
                )
            elif at_import and built:
                what = (
                    f"builds the model (`{built.name}`) from the config file the module reads "
                    f"(`{at_import}`)"
                )
            elif multirun:
                what = f"runs every experiment config (`--multirun {multirun}`)"
            else:
                continue
            out.append(
                Evidence(item, f"test {what}", path, fn.line, "test", "automated", fn.qualname)
            )
    return out
