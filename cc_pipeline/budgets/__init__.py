"""Spending budgets: ``budgets.yaml``, their evaluation with a forecast, and alerts."""
