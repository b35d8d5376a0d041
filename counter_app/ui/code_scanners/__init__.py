"""Barcode and QR scanners read by the window: the keyboard wedge (application-wide filter) and the serial port."""
