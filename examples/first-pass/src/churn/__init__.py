"""Telecom customer churn model."""
