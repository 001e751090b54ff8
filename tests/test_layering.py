"""Domain code has no Qt in it: the guide can be checked, built and read without a display."""

import subprocess
import sys

PURE = ["kiosk.content.check", "kiosk.content.build", "kiosk.content.stamp", "kiosk.guide", "kiosk.guides", "kiosk.cli"]


def test_pure_modules_do_not_import_qt():
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in PURE)
        + "print([m for m in sys.modules if m.startswith('PySide6')])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
