"""Staff mode: PIN entry, the staff view (guide and updates, settings, voices, usage, log) and presenter mode."""
