"""Guide updates: signed bundles (no Qt here)."""
