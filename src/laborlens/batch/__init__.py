"""Batch scoring of posting and task corpora (local processes or Ray)."""
