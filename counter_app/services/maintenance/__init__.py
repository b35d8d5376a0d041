"""Keeping an installation sound: encrypted backups and restores, the database's integrity, the health check."""
