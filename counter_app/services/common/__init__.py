"""What every feature of the services shares: the context services are built with, the clock, the settings,
the views of dossiers and procedures, where exports may go and their record. Imports no feature package."""
