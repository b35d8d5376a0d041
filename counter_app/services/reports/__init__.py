"""The reports: statistics of a period, the late-case report, the tracking book, the dashboard, and their PDF
and XLSX files. Read-only over the dossiers."""
