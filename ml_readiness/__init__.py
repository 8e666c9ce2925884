"""ml-readiness: audit an ML repository against the ML Test Score rubric."""

__version__ = "0.1.0"
