"""What every feature of the services shares: the context services are built with (database, clock, the acting
person, the audit key store), the settings, the views of dossiers and procedures, the event writer, what changed,
where exports may go and their record. Imports no feature package."""
