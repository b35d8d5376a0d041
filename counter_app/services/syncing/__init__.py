"""Sync with the city's central for the window and the command line: runs with progress and cancel, the last
sync, and where this counter keeps its sync credential."""
