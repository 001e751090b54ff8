"""The kiosk's Qt Widgets user interface. Screens take the guide store and only render."""
