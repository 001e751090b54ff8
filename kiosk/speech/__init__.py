"""Speech: turning the guide's text into audio with word timings (no Qt here; the Qt service wraps it)."""
