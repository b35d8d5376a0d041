"""Setting up an installation (agency, counter, calendar, catalogue) and the demonstration data."""
