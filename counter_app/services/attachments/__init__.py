"""Digitisation: a dossier's papers scanned or added as one stored PDF each, checked, exempted; the file store
and the document scanners (SANE, WIA). Builds on desk."""
