"""The kiosk's screens. Each takes a ScreenContext and an argument, and only renders."""
