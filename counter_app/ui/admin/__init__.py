"""Administration screens: the catalogue, the calendar, the procedure editor, the settings and the first-run wizard."""
