"""Credit-risk scoring: probability that a loan application defaults within 12 months."""

__version__ = "1.8.0"
