"""One dossier's screen, its dialogs, the late cases and the apology."""
