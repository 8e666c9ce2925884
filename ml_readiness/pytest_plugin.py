"""pytest plug-in: the `mlready` marker linking tests to rubric items (being completed)."""

from __future__ import annotations


def pytest_configure(config):  # type: ignore[no-untyped-def]
    config.addinivalue_line(
        "markers", "mlready(*items): link this test to ML Test Score rubric items"
    )
