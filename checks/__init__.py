"""Built-in checks, one module per rubric item or small family, grouped by section.

Importing this package registers every built-in check (the `builtin` entry point of the
`ml_readiness.checks` group points here).
"""

from ml_readiness.checks import data, infra, linked, model, monitor  # noqa: F401
