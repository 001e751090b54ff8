"""``wegwijzer --self-test``: does this build work? Run on the frozen folder by ``make package`` and by CI.

Steps, each printed with its result: open the bundled guide; render the language screen offscreen; collation,
case mapping and zone names through Qt's ICU in the guide's languages; the Wayland and X11 platform plugins
find their system libraries (Linux); synthesise a
sentence in three languages (Dutch, Arabic, Ukrainian) with the bundled espeak-ng; sign and verify a throwaway
test bundle; report which update keys are trusted. Exit status 0 when every step passes, else the number of the
first failing step (so a supervisor or CI log says which).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from kiosk import __version__, paths

SENTENCES = {"nl": "Mag ik vrijwilligerswerk doen?", "ar": "هل يحق لي القيام بعمل تطوعي؟",
             "uk": "Чи можу я бути волонтером?"}  # fmt: skip


def _guide() -> str:
    from kiosk.guide import GuideStore

    with GuideStore(paths.bundled_guide()) as store:
        languages = store.languages()
        questions = store.question_ids()
        store.answer(questions[0], languages[0].code)
        return f"version {store.content_version}, {len(languages)} languages, {len(questions)} questions"


def _screen(work: Path) -> str:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from kiosk.app import RunOptions, build_window
    from kiosk.guide import GuideStore
    from kiosk.ui import fonts

    app = QApplication.instance() or QApplication(sys.argv[:1])
    if not isinstance(app, QApplication):  # instance() is typed as the core application; the window needs widgets
        raise RuntimeError("the self-test needs a QApplication, not a bare QCoreApplication")
    families = fonts.register(paths.fonts_dir())
    if not families:
        raise RuntimeError("no bundled font could be registered")
    store = GuideStore(paths.bundled_guide())
    built = build_window(app, store, RunOptions(windowed=True))
    window, idle = built.window, built.idle
    idle.enabled = False
    window.resize(1080, 1920)
    window.show()
    for _ in range(5):
        app.processEvents()
    image = window.grab().toImage()
    shown = [b for b in window.language_screen.buttons if b.isVisible()]
    window.allow_close = True
    window.close()
    store.close()
    if image.isNull() or len(shown) != len(store.languages()):
        raise RuntimeError(f"the language screen shows {len(shown)} of {len(store.languages())} languages")
    return f"{len(shown)} language buttons painted, fonts: {', '.join(families)}"


def _text_services() -> str:
    """What Qt asks ICU for, in every guide language Qt knows: collation, case mapping and time zone names.

    The frozen build carries an ICU data library slimmed to the guide's languages (kiosk/tools/freeze.py); a
    language left out shows as a zone name falling back to "GMT+01:00", or as a Qt warning.
    """
    from PySide6.QtCore import QByteArray, QCollator, QLocale, QTimeZone, qInstallMessageHandler

    from kiosk.guide import GuideStore

    with GuideStore(paths.bundled_guide()) as store:
        codes = [language.code for language in store.languages()]
    warnings: list[str] = []
    previous = qInstallMessageHandler(lambda _kind, _context, message: warnings.append(message))
    try:
        zone = QTimeZone(QByteArray(b"Europe/Brussels"))

        def zone_name(locale: QLocale) -> str:
            return zone.displayName(QTimeZone.TimeType.StandardTime, QTimeZone.NameType.LongName, locale)

        english = zone_name(QLocale("en"))  # what ICU falls back to for a language it has no data for
        if not english or english.startswith(("GMT", "UTC")):
            raise RuntimeError(f"no time zone names in ICU's data (got {english!r})")
        checked = []
        for code in codes:
            locale = QLocale(code)
            if locale.language() == QLocale.Language.C:
                continue  # a language Qt has no locale for (Dari, "prs"): Qt asks ICU nothing for it
            QCollator(locale).compare("a", "b")
            if code != "en" and zone_name(locale) == english:
                raise RuntimeError(f"{code}: ICU's data has no {code} zone names (got the English {english!r})")
            checked.append(code)
        if "tr" in codes and (QCollator(QLocale("tr")).compare("ça", "cb") <= 0 or QLocale("tr").toUpper("i") != "İ"):
            raise RuntimeError("Turkish collation (ç after c) or case mapping (i -> İ) is missing from ICU's data")
    finally:
        qInstallMessageHandler(previous)
    if warnings:
        raise RuntimeError("Qt warned: " + "; ".join(warnings))
    return f"collation, case mapping and zone names in {', '.join(checked)}"


def _platform_plugins() -> str:
    """Linux: the Wayland (cage) and X11 platform plugins find every library they take from the system.

    Loading a plugin's file is enough: the dynamic loader names the first missing library (for example
    ``libwayland-cursor.so.0``), which is what a kiosk without it would only say at its first start.
    """
    if not sys.platform.startswith("linux"):
        return "not needed on this system"
    import ctypes

    from PySide6.QtCore import QLibraryInfo

    platforms = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms"
    missing = []
    for name in ("wayland", "xcb"):
        try:
            ctypes.CDLL(str(platforms / f"libq{name}.so"), mode=os.RTLD_LAZY | os.RTLD_LOCAL)
        except OSError as exc:
            missing.append(f"{name}: {exc}")
    if missing:
        raise RuntimeError("; ".join(missing) + " (packaging/linux/install.sh installs what the kiosk needs)")
    return "wayland and xcb load"


def _speech() -> str:
    from kiosk.speech.engines import make_engine

    engine = make_engine()
    results = []
    for lang, sentence in SENTENCES.items():
        voice = engine.resolve([lang])
        if voice is None:
            raise RuntimeError(f"no espeak-ng voice for {lang}")
        utterance = engine.synthesize(sentence, voice)
        if len(utterance.samples) < 1000 or not utterance.words:
            raise RuntimeError(f"{lang}: no sound or no word timings")
        seconds = len(utterance.samples) / utterance.sample_rate / 2
        results.append(f"{lang} {seconds:.1f} s, {len(utterance.words)} words")
    return ", ".join(results)


def _bundle(work: Path) -> str:
    from kiosk.updates.bundle import create_bundle, generate_keys, load_public_key, verify_bundle

    private, public = generate_keys(work / "keys", "self-test")
    manifest = create_bundle(paths.bundled_guide(), private, work / "bundle")
    verify_bundle(work / "bundle", [load_public_key(public)], allow_test_keys=True)  # its own test key
    return f"test bundle of version {manifest.content_version} signed and verified"


def _keys() -> str:
    keys = sorted(paths.trusted_keys_dir().glob("*.public.pem"))
    if not keys:
        return "WARNING: no trusted update key is built in: this kiosk will refuse every update"
    return "trusted update keys: " + ", ".join(k.name for k in keys)


def run() -> int:
    print(f"Wegwijzer {__version__} self-test ({'frozen' if getattr(sys, 'frozen', False) else 'from source'}, "
          f"{paths.bundle_root()})")  # fmt: skip
    previous = paths.data_dir_override()
    try:
        with tempfile.TemporaryDirectory(prefix="wegwijzer-self-test-") as tmp:
            return _run_steps(Path(tmp))
    finally:
        paths.set_data_dir(previous)


def _run_steps(work: Path) -> int:
    paths.set_data_dir(work / "data")  # never touch the real data directory
    steps: list[tuple[str, Callable[[], str]]] = [
        ("open the bundled guide", _guide),
        ("render the language screen", lambda: _screen(work)),
        ("text services (ICU) in the guide's languages", _text_services),
        ("platform plugins and their system libraries", _platform_plugins),
        ("synthesise speech in nl, ar, uk", _speech),
        ("sign and verify a test bundle", lambda: _bundle(work)),
        ("trusted update keys", _keys),
    ]
    for number, (name, step) in enumerate(steps, start=1):
        t0 = time.perf_counter()
        try:
            detail = step()
        except Exception as exc:
            print(f"{number}. {name}: FAILED: {exc}")
            traceback.print_exc(file=sys.stderr)
            return number
        print(f"{number}. {name}: ok ({(time.perf_counter() - t0) * 1000:.0f} ms) {detail}")
    print("self-test passed")
    return 0
