"""The audit chain of the event log: checking it, and its keys (keyring or a private file)."""
