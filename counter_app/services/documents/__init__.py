"""The printed documents of a dossier: numbered once, rendered from its state, archived, reprinted on the
record; the mapping of a dossier to each form's printing record. Builds on desk."""
