"""Contributions made on the kiosk by interpreters and staff: recordings, consent and review marks (no Qt)."""
