"""The dossier's life at the desk: intake, the work queue, drafts, transfers, results, hand-over, late cases and
the apology, and the serial code reader. Builds on common and catalogue."""
