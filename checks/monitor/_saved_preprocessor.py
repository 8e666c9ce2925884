"""monitor-3: a preprocessor fitted by training and saved under a name that serving loads.

Two forms (REVIEW-T point 10): a file (`joblib.dump(preprocessor, dir / "preprocessor.joblib")`
in training, `joblib.load(dir / "preprocessor.joblib")` then `.transform` in serving, matched
by file basename), and a ZenML artifact (`ArtifactConfig(name="scaler")` on a training step,
`load_artifact("scaler")` then `.transform` in serving). Serving applies the very object that
training fitted, so the two cannot compute features differently.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ml_readiness.checklib import call_evidence
from ml_readiness.entrypoints import (
    EntryPoint,
    reachable_functions,
    serving_entry_points,
    training_entry_points,
)
from ml_readiness.evidence import Evidence
from ml_readiness.facts import Facts
from ml_readiness.facts.python import Call, PythonFacts

from ._shared import automated_run

SAVES = ("joblib.dump", "pickle.dump", "cloudpickle.dump", "dill.dump", "skops.io.dump")
LOADS = ("joblib.load", "pickle.load", "cloudpickle.load", "dill.load", "skops.io.load")
ARTIFACT_LOADS = ("load_artifact", "get_artifact", "get_artifact_version")
PREPROCESSOR_NAME = re.compile(
    r"(?i)preproc|scaler|encoder|transformer|vectori[sz]er|imputer|tokenizer|normali[sz]er"
)
ARTIFACT_FILE = re.compile(r"(?i)[\w.-]+\.(joblib|pkl|pickle|dill|skops)$")
FITS = ("fit", "fit_transform")


def _file_names(pf: PythonFacts) -> set[str]:
    """Basenames of preprocessor files named in string literals (`preprocessor.joblib`)."""
    out = set()
    for text, _ in pf.strings:
        base = text.rsplit("/", 1)[-1]
        if ARTIFACT_FILE.match(base) and PREPROCESSOR_NAME.search(base):
            out.add(base)
    return out


ARTIFACT_CONFIG = re.compile(r"""\bArtifactConfig\(\s*name\s*=\s*["']([^"']+)["']""")


def _artifact_names(facts: Facts, path: str) -> set[str]:
    """Names of ZenML output artifacts naming a preprocessor (`ArtifactConfig(name="scaler")`,
    written in the step's return annotation, which the call facts do not record)."""
    code = "\n".join(line.split("#", 1)[0] for line in facts.lines(path))
    return {n for n in ARTIFACT_CONFIG.findall(code) if PREPROCESSOR_NAME.search(n)}


def _training_side(facts: Facts, training: list[EntryPoint]) -> dict[str, tuple[str, str]]:
    """name → (path, how) for preprocessors saved by training code that fits them: a file
    reached from a training entry point or run by a pipeline or schedule."""
    reached = {p for t in training for p, _ in reachable_functions(facts, t)}
    out: dict[str, tuple[str, str]] = {}
    for path, pf in facts.python_files(
        mentions=("dump", "ArtifactConfig"), tests=False, notebooks=False
    ):
        if not pf.method_calls(*FITS):
            continue
        names: set[str] = set()
        if pf.calls_to(*SAVES):
            names |= _file_names(pf)
        names |= _artifact_names(facts, path)
        if not names:
            continue
        run = any(automated_run(facts, path, f.qualname) for f in pf.functions)
        if path not in reached and not run:
            continue
        for name in names:
            out.setdefault(name, (path, "run by automation" if run else "training code"))
    return out


def _loads(pf: PythonFacts, name: str) -> Call | None:
    """The call in `pf` that loads the preprocessor saved as `name`, when the file also
    applies a fitted transform."""
    if not pf.method_calls("transform"):
        return None
    for call in pf.calls:
        if call.attr in ARTIFACT_LOADS and call.args[:1] == (name,):
            return call
    named = [line for text, line in pf.strings if text.rsplit("/", 1)[-1] == name]
    found = pf.calls_to(*LOADS)
    if not named or not found:
        return None
    # the load that follows the name (`path = dir / "scaler.pkl"` ... `joblib.load(path)`)
    return min(found, key=lambda c: (c.line < named[0], abs(c.line - named[0])))


def saved_preprocessor(facts: Facts, item: str) -> Iterator[Evidence]:
    """Evidence where serving loads a preprocessor that training fitted and saved under the
    same file basename or artifact name. Automated when automation runs both sides."""
    serving = serving_entry_points(facts)
    if not serving:
        return
    saved = _training_side(facts, training_entry_points(facts))
    if not saved:
        return
    done: set[str] = set()
    for entry in serving:
        for path in sorted({p for p, _ in reachable_functions(facts, entry)} - done):
            pf = facts.python(path)
            for name, (tpath, how) in sorted(saved.items()) if pf else ():
                load = _loads(pf, name)
                if load is None or tpath == path:
                    continue
                done.add(path)
                both = automated_run(facts, entry.path, entry.symbol) and how.startswith("run")
                detail = (
                    f"the preprocessor `{name}` fitted and saved by {tpath} ({how}) is loaded "
                    f"on the serving path of {entry.label} (`{load.name}`), which applies "
                    "its transform"
                )
                credit = "automated" if both else "manual"
                yield call_evidence(item, path, load, detail, kind="code", credit=credit)
                break
