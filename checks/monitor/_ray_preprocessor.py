"""monitor-3: a Ray AIR preprocessor saved in the model checkpoint and restored at serving.

`TorchTrainer(..., preprocessor=p)` (any `ray.*Trainer`) or a checkpoint built with the
preprocessor (`TorchCheckpoint.from_model(m, preprocessor=p)`, `Checkpoint.from_dict({...,
"preprocessor": p})`, `checkpoint.set_preprocessor(p)`) stores the fitted preprocessing with the
model; a Ray predictor restored with `*Predictor.from_checkpoint(...)` applies it to every
batch it predicts, and `predictor.get_preprocessor()` returns it. When serving reaches such a
restore, training and serving preprocess with the same fitted object.
"""

from __future__ import annotations

import re

from ml_readiness.checklib import call_evidence
from ml_readiness.entrypoints import EntryPoint, reachable_functions
from ml_readiness.evidence import Evidence, Hint
from ml_readiness.facts import Facts
from ml_readiness.facts.python import Call

from ._shared import automated_run

ITEM = "monitor-3"
Node = tuple[str, str]
_CHECKPOINT_SAVES = ("from_model", "from_state_dict", "from_estimator", "from_dict")


def _saves_preprocessor(call: Call) -> bool:
    """A Ray trainer or checkpoint constructor handed a (non-None) preprocessor."""
    if not call.qualified.startswith("ray."):
        return call.attr == "set_preprocessor" and bool(call.args)
    if call.attr.endswith("Trainer") or call.attr in _CHECKPOINT_SAVES:
        if call.has_kw("preprocessor"):
            return call.kw("preprocessor") is not None
        return call.attr == "from_dict" and any("preprocessor" in str(a) for a in call.args)
    return False


def _restores(call: Call) -> bool:
    """`TorchPredictor.from_checkpoint(...)` (any Ray predictor) or `x.get_preprocessor()`."""
    if call.attr == "get_preprocessor":
        return True
    return (
        call.attr == "from_checkpoint"
        and call.qualified.startswith("ray.")
        and "Predictor" in call.qualified
    )


def _preprocessor_class(facts: Facts, path: str, call: Call) -> str:
    """`CustomPreprocessor` when `preprocessor=preprocessor` and `preprocessor = X()` above."""
    value = call.kw("preprocessor") if call.has_kw("preprocessor") else None
    name = value[1:] if isinstance(value, str) and value.startswith("$") else None
    if not name:
        return ""
    assign = re.compile(rf"^\s*{re.escape(name)}\s*=\s*([\w.]+)\(")
    for line in reversed(facts.lines(path)[: call.line]):
        m = assign.match(line)
        if m:
            return m.group(1).rsplit(".", 1)[-1]
    return ""


def _calls_reached(facts: Facts, nodes: set[Node], test: object) -> list[tuple[str, Call]]:
    out = []
    for path in sorted({p for p, _ in nodes}):
        pf = facts.python(path)
        scopes = {q for p, q in nodes if p == path}
        out += [(path, c) for c in (pf.calls if pf else ()) if c.scope in scopes and test(c)]
    return out


def ray_saved_preprocessor(
    facts: Facts, training: list[EntryPoint], serving: list[EntryPoint]
) -> list[Evidence | Hint]:
    """Evidence at the serving restore of a Ray checkpoint that carries the training
    preprocessor; a hint when the preprocessor is saved but no serving entry restores it."""
    if not any(True for _ in facts.python_files(mentions=("preprocessor",), tests=False)):
        return []
    saved: list[tuple[EntryPoint, str, Call]] = []
    for t in training:  # the training script itself (typer/click commands are not followed)
        nodes = reachable_functions(facts, t)
        pf = facts.python(t.path)
        nodes |= {(t.path, f.qualname) for f in (pf.functions if pf else ())}
        saved += [(t, p, c) for p, c in _calls_reached(facts, nodes, _saves_preprocessor)]
    if not saved:
        return []
    t, tpath, tcall = saved[0]
    for s in serving:
        hits = _calls_reached(facts, reachable_functions(facts, s), _restores)
        hits.sort(key=lambda h: (h[0] != s.path, h[1].attr != "from_checkpoint", h[1].line))
        if not hits:
            continue
        path, call = hits[0]
        kind = _preprocessor_class(facts, tpath, tcall)
        what = f"preprocessor {kind}" if kind else "preprocessor"
        detail = (
            f"Ray {tcall.attr} saves the fitted {what} with the model ({tpath}:{tcall.line}); "
            f"{s.label} restores it with `{call.name}`, so serving preprocesses as training did"
        )
        both = automated_run(facts, t.path, t.symbol) and automated_run(facts, s.path, s.symbol)
        credit = "automated" if both else "manual"
        return [call_evidence(ITEM, path, call, detail, kind="code", credit=credit)]
    return [
        Hint(
            ITEM,
            f"{tpath}:{tcall.line} saves a Ray preprocessor with the model, but no serving entry "
            "point restores it (`*Predictor.from_checkpoint`, `get_preprocessor()`); not credited",
        )
    ]
