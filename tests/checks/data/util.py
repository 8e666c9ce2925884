"""Small views of what a check yields, for exact assertions."""

from __future__ import annotations

from ml_readiness.evidence import Evidence, Finding, Hint

CI = """
name: ci
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pip install -r requirements.txt
      - run: {command}
"""


def ci(command: str = "pytest tests") -> str:
    """A GitHub Actions workflow (on push) running `command`."""
    return CI.format(command=command)


def evidence(out: list) -> list[tuple]:
    """(path, line, kind, credit, symbol) of each Evidence."""
    return [(e.path, e.line, e.kind, e.credit, e.symbol) for e in out if isinstance(e, Evidence)]


def details(out: list) -> list[str]:
    return [e.detail for e in out if isinstance(e, Evidence)]


def findings(out: list) -> list[tuple]:
    """(path, line, cap) of each Finding."""
    return [(f.path, f.line, f.cap) for f in out if isinstance(f, Finding)]


def hints(out: list) -> list[str]:
    return [h.detail for h in out if isinstance(h, Hint)]
