"""The work queue's table model, loaded page by page off the UI thread."""
