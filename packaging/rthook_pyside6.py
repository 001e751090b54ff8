# PyInstaller runtime hook, in place of PyInstaller's own pyi_rth_pyside6 (see wegwijzer.spec): the same Qt
# set-up, except in the kiosk's multiprocessing children (the speech worker and the resource tracker), which
# never use Qt. The original imports QtCore, and with it ICU, into every process: 11 MiB more per child.
import os
import sys


def _wegwijzer_qt_rthook() -> None:
    from _pyi_rth_utils import qt as qt_rth_utils

    qt_rth_utils.ensure_single_qt_bindings_package("PySide6")
    qt_dir = (
        os.path.join(sys._MEIPASS, "PySide6")
        if sys.platform.startswith("win")
        else os.path.join(sys._MEIPASS, "PySide6", "Qt")
    )
    os.environ["QT_PLUGIN_PATH"] = os.path.join(qt_dir, "plugins")
    child = "--multiprocessing-fork" in sys.argv or "-c" in sys.argv[1:]  # the kiosk's own CLI has no -c
    if child:
        return
    if sys.platform.startswith("win"):  # Qt finds the OpenSSL DLLs collected next to it
        os.environ["PATH"] = sys._MEIPASS + os.pathsep + os.environ.get("PATH", "")
    qt_rth_utils.create_embedded_qt_conf("PySide6", qt_dir)


_wegwijzer_qt_rthook()
del _wegwijzer_qt_rthook
