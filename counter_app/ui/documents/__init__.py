"""Printing and previewing documents through the system's printers."""
