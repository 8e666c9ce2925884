"""infra-7: registry aliases moved to a model version through a project wrapper or W&B.

MLflow's own `set_registered_model_alias` is read with the other registry calls; projects
often wrap it (`registry.set_alias(model_name, alias="champion", version=v)`), and W&B links
each logged model into its registry with aliases (`run.link_artifact(artifact,
"model-registry/churn", aliases=["production"])`). Both keep versions a person can point the
alias back to.
"""

from __future__ import annotations

from collections.abc import Iterator

from ml_readiness.checklib import call_evidence, find_method_calls
from ml_readiness.evidence import Evidence
from ml_readiness.facts import Facts

# registry aliases moved through a project wrapper (`registry.set_alias(alias="champion",
# version=v)`) or W&B (`run.link_artifact(artifact, target_path, aliases=["production"])`)
ALIAS_WRAPPERS = frozenset({"set_alias", "set_model_alias", "assign_alias", "move_alias"})


def alias_moves(facts: Facts, seen: set[tuple[str, str]]) -> Iterator[Evidence]:
    """A registry alias pointed at a model version: a wrapper method named `set_alias` called
    with the version (a keyword `version=` or three arguments), or W&B `link_artifact(...,
    aliases=[...])` (every link is a new registry version). Moving the alias back to an
    earlier version is the rollback a person runs (manual)."""
    mentions = ("set_alias", "set_model_alias", "assign_alias", "move_alias", "link_artifact")
    calls = find_method_calls(facts, *ALIAS_WRAPPERS, mentions=mentions, tests=False)
    for path, _pf, call in calls:
        versioned = call.has_kw("version") or len(call.args) + len(call.kwargs) >= 3
        label = "model registry alias set to a version"
        if versioned and (path, label) not in seen:
            seen.add((path, label))
            detail = f"{label} (`{call.name}`)"
            yield call_evidence("infra-7", path, call, detail, credit="manual")
    for path, _pf, call in find_method_calls(facts, "link_artifact", tests=False):
        label = "W&B model registry link with aliases"
        if call.has_kw("aliases") and (path, label) not in seen:
            seen.add((path, label))
            detail = f"{label} (`{call.name}`): every link is a registry version"
            yield call_evidence("infra-7", path, call, detail, credit="manual")
