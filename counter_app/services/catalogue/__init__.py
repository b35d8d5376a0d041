"""The catalogue of procedures and the working calendar: listing, search, administration, due dates, and the
administration log of both. Builds on common."""
