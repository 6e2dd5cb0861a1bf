"""Report writers: each renders an ``AuditReport`` in one format and knows nothing else."""
