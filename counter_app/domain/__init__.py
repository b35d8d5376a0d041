"""The pure core: calendar, due dates, dossier codes, statuses, citizen data. No I/O, no clock, no Qt."""
