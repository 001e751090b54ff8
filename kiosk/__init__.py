"""Wegwijzer: an offline touch kiosk that answers questions about volunteering in Belgium."""

__version__ = "0.1.0"
