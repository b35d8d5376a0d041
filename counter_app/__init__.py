"""counter_app: the desktop application of a Vietnamese ward's one-stop reception desk."""

__version__ = "0.1.0"
