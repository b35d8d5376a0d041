"""The audit chain of the event log: checking it against its keys and against the central's copy. Builds on attachments
(the stored files are checked too) and common (which holds the keys the context seals events with)."""
