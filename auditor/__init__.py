"""budget-audit: a quality-audit rules engine for budget performance target drafts."""

__version__ = "0.1.0"
