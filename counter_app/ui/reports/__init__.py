"""The dashboard and the report export dialog."""
