"""Qt adapters: the services that bring the domain (guide, speech, updates) to the Qt event loop.

Everything that needs PySide6 but is not a widget lives here; ``kiosk.ui`` (widgets) sits above, the pure
packages (``kiosk.content``, ``kiosk.speech``, ``kiosk.updates`` and the single modules beside them) below. The
contracts in ``pyproject.toml`` (import-linter) keep it so.
"""
