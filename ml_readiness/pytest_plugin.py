"""pytest plugin (entry point `mlready`): link tests to rubric items with a marker.

    @pytest.mark.mlready("infra-2", "monitor-5")
    def test_model_loads_in_serving_image(): ...

- registers the `mlready` marker (so `--strict-markers` accepts it);
- checks at collection that every id names an item of the configured rubric (`--mlready-rubric`,
  else `rubric:` in the rootdir's mlready config, else ml-test-score); an unknown id is a
  collection error naming the test and the id;
- records the ids as the JUnit property `mlready_items`, so `mlready audit --results junit.xml`
  knows which items a failed test was evidence for.

pytest loads this module in every run of every project that installs ml-readiness, so it imports
nothing heavy at import time and does nothing at all unless a collected test uses the marker.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest

MARKER = "mlready"
PROPERTY = "mlready_items"
MARKER_HELP = (
    "mlready(*item_ids): link this test to ML readiness rubric items, e.g. "
    "@pytest.mark.mlready('infra-2', 'monitor-5'); `mlready audit` credits the test as "
    "evidence for them"
)
_RUBRIC_KEY = pytest.StashKey[tuple[str, frozenset[str]] | str]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mlready", "ML readiness rubric links")
    group.addoption(
        "--mlready-rubric",
        metavar="NAME|FILE",
        default=None,
        help="rubric whose item ids @pytest.mark.mlready may name (default: `rubric:` in the "
        "rootdir's mlready config, else ml-test-score)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER_HELP)


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Generator[None, Any, None]:
    """Turn a module's (or class's) collection into an error when a test names unknown ids."""
    outcome = yield
    report = outcome.get_result()
    if not report.passed or not report.result:
        return
    problems: list[str] = []
    for node in report.result:
        if isinstance(node, pytest.Item) and node.get_closest_marker(MARKER) is not None:
            problems.extend(_problems(node))
    if problems:
        text = "\n".join(dict.fromkeys(problems))
        outcome.force_result(
            pytest.CollectReport(report.nodeid, "failed", text, [], sections=report.sections)
        )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Record each linked test's item ids as the JUnit property `mlready_items`."""
    for item in items:
        ids = _ids(item)
        if ids and not any(name == PROPERTY for name, _ in item.user_properties):
            item.user_properties.append((PROPERTY, ",".join(ids)))


def _ids(item: pytest.Item) -> list[str]:
    """Item ids of every mlready marker on the test, its class and its module (in order)."""
    ids: list[str] = []
    for marker in item.iter_markers(MARKER):
        for arg in marker.args:
            for value in arg if isinstance(arg, list | tuple) else (arg,):
                if isinstance(value, str) and value.strip() and value.strip() not in ids:
                    ids.append(value.strip())
    return ids


def _problems(item: pytest.Item) -> list[str]:
    test = item.nodeid.split("[", 1)[0]
    out = []
    for marker in item.iter_markers(MARKER):
        values = [v for a in marker.args for v in (a if isinstance(a, list | tuple) else (a,))]
        if not values:
            out.append(f"{test}: @pytest.mark.{MARKER}() names no rubric item")
        bad = [v for v in values if not isinstance(v, str) or not v.strip()]
        if bad:
            out.append(f"{test}: @pytest.mark.{MARKER} takes item ids as strings, got {bad[0]!r}")
    ids = _ids(item)
    if not ids:
        return out
    rubric = _rubric(item.config)
    if isinstance(rubric, str):
        return [*out, f"{test}: @pytest.mark.{MARKER} cannot be checked: {rubric}"]
    label, known = rubric
    for unknown in (i for i in ids if i not in known):
        out.append(
            f"{test}: @pytest.mark.{MARKER} names unknown item {unknown!r}: not an item of "
            f"rubric {label} (list them with `mlready rubric show`)"
        )
    return out


def _rubric(config: pytest.Config) -> tuple[str, frozenset[str]] | str:
    """(label, item ids) of the configured rubric, or the one-line reason it cannot be loaded.
    Loaded on first use and cached for the session."""
    cached = config.stash.get(_RUBRIC_KEY, None)
    if cached is None:
        cached = _load_rubric(config)
        config.stash[_RUBRIC_KEY] = cached
    return cached


def _load_rubric(config: pytest.Config) -> tuple[str, frozenset[str]] | str:
    from ml_readiness.errors import MlreadyError
    from ml_readiness.rubric import load_rubric

    try:
        name = _rubric_name(config)
        rubric = load_rubric(name)
    except MlreadyError as exc:
        return str(exc)
    return f"{rubric.id} {rubric.version}", frozenset(i.id for i in rubric.items)


def _rubric_name(config: pytest.Config) -> str | None:
    """`--mlready-rubric` (relative to where pytest was invoked), else the rootdir config's
    `rubric:` (relative to the rootdir), else None for the default rubric."""
    from ml_readiness.config import find_config

    option = config.getoption("mlready_rubric", None)
    if option:
        return _resolve(option, config.invocation_params.dir)
    found = find_config(config.rootpath)
    if found is None:
        return None
    name = found[1].get("rubric")
    return _resolve(name, config.rootpath) if isinstance(name, str) and name else None


def _resolve(name: str, base: Any) -> str:
    if "/" not in name and not name.endswith((".yaml", ".yml")):
        return name  # a shipped rubric's name
    return str(base / name)
