"""Widgets and helpers every screen uses: the error presenter, field errors, formatting, the barcode widget."""
