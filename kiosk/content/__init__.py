"""The guide's sources: loading, checking and building them into the guide database (no Qt)."""
