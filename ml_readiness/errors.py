"""User-facing errors: each carries the file (and line) it is about.

The CLI turns every `MlreadyError` into one line on stderr and exit code 2. Problems found in the
audited repository are never exceptions: they are notes or findings in the report.
"""

from __future__ import annotations


class MlreadyError(Exception):
    """An error in what the user gave us (a CLI argument, a config file, a rubric file)."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        return f"{where}{self.message}"


class ConfigError(MlreadyError):
    """The project's mlready config (mlready.yaml or [tool.mlready]) is invalid."""


class RubricError(MlreadyError):
    """A rubric file is invalid."""


class UsageError(MlreadyError):
    """The command line asks for something impossible (a missing path, an unwritable output)."""
