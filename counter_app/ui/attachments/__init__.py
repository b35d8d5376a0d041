"""The scans of a dossier's papers: the attachments panel."""
