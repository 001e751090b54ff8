"""Composition root of the kiosk.

Start-up order: logging -> QApplication -> bundled fonts -> the guide (installed, else previous, else
bundled) -> the current guide and the window -> lock-down and idle guard -> event loop; after the first paint:
the log file, speech, updates. Each step is logged.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sqlite3
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QEvent, QObject, QSocketNotifier, QTimer
from PySide6.QtWidgets import QApplication

from kiosk import __version__, guides, logs, maintenance, paths
from kiosk.contrib.export import export as export_contributions
from kiosk.contrib.export import nothing_to_export
from kiosk.contrib.store import Contributions
from kiosk.guide import GuideError, GuideStore
from kiosk.qt.background import run_off_thread
from kiosk.qt.current_guide import CurrentGuide
from kiosk.qt.idle import IdleGuard
from kiosk.qt.settings import LiveSettings
from kiosk.settings import Config, SettingsStore
from kiosk.ui import fonts
from kiosk.ui.icons import IconSet
from kiosk.ui.lockdown import Lockdown
from kiosk.ui.staff.services import StaffServices
from kiosk.ui.window import KioskWindow
from kiosk.usage import Usage

if TYPE_CHECKING:
    from kiosk.qt.speech import SpeechService
    from kiosk.qt.updates import UpdateService
    from kiosk.ui.staff.controller import StaffController
    from kiosk.updates.safefs import SafeDir

log = logging.getLogger("wegwijzer")
USB_ROOTS_ENV = "WEGWIJZER_USB_ROOTS"
FIRST_SYNC_ENV = "WEGWIJZER_FIRST_SYNC_S"


@dataclass
class RunOptions:
    windowed: bool = False
    width: int = 1920
    height: int = 1080
    idle_timeout_s: int = 90
    idle_countdown_s: int = 15
    trusted_keys: list[Path] = field(default_factory=list)
    channel: str = "stable"
    sync_url: str = ""
    sync_interval_s: int = 3600
    allow_test_keys: bool = False  # install bundles signed with a test key (setting accept_test_keys)
    updates: bool = True  # USB sticks and sync (off in tests that do not want a worker thread)
    settings: SettingsStore | None = None  # None: the data directory's
    usage: Usage | None = None  # None: the data directory's

    @classmethod
    def from_settings(cls, settings: SettingsStore, **overrides: Any) -> RunOptions:
        """Options from the stored settings; command-line values (not None) take precedence for this run."""
        config = settings.config
        values: dict[str, Any] = {
            "idle_timeout_s": config.idle_timeout_s, "channel": config.update_channel, "sync_url": config.sync_url,
            "sync_interval_s": config.sync_interval_min * 60, "allow_test_keys": config.accept_test_keys,
            "settings": settings,
        }  # fmt: skip
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


class UiTrace(QObject):
    """Automation aid (``WEGWIJZER_UI_TRACE=FILE``): after each screen change, write the route and the
    on-screen rectangles of every tappable element as JSON, so end-to-end tests can tap with real X input."""

    def __init__(self, kiosk: Kiosk, path: str) -> None:
        super().__init__(kiosk.window)
        self.kiosk, self.window, self.path = kiosk, kiosk.window, path
        self.blocked: list[str] = []
        self.spoken_words = 0
        self.window.navigated.connect(self._on_window_navigated)
        kiosk.lockdown.key_blocked.connect(self._on_lockdown_key_blocked)

    def watch_speech(self) -> None:
        speech = self.kiosk.speech
        if speech is not None:
            speech.word_spoken.connect(self._on_speech_word_spoken)
            speech.finished.connect(lambda _key: self.write())
            speech.stopped.connect(lambda _key: self.write())

    def _on_speech_word_spoken(self, *_args: object) -> None:
        self.spoken_words += 1
        if self.spoken_words % 5 == 1:
            self.write()

    def _on_lockdown_key_blocked(self, key: str) -> None:
        self.blocked.append(key)
        self.write()

    def _on_window_navigated(self, _screen: str, _arg: str) -> None:
        QTimer.singleShot(50, self.write)  # after layout and paint

    def write(self) -> None:
        import json

        from PySide6.QtWidgets import QAbstractButton

        targets: dict[str, list[int]] = {}
        for button in self.window.findChildren(QAbstractButton):
            if button.isVisible() and button.isEnabled():
                key = getattr(button, "key", None) or button.accessibleName() or button.text()
                top_left = button.mapToGlobal(button.rect().topLeft())
                targets.setdefault(key, [top_left.x(), top_left.y(), button.width(), button.height()])
        route = self.window.route
        speech = self.kiosk.speech
        data = {"route": [route.screen, route.arg], "lang": self.window.lang, "blocked": self.blocked,
                "targets": targets, "pid": os.getpid(), "speaking": speech.speaking if speech else None,
                "spoken_words": self.spoken_words}  # fmt: skip
        tmp = f"{self.path}.tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False)
        os.replace(tmp, self.path)


@dataclass
class Kiosk:
    """What the composition root built: the window shows the visitor's session; the rest serve it. Nothing is
    hung on the window: whoever needs a part is handed it here."""

    app: QApplication
    window: KioskWindow
    guide: CurrentGuide
    idle: IdleGuard
    lockdown: Lockdown
    usage: Usage
    settings: LiveSettings
    services: StaffServices
    speech: SpeechService | None = None
    updates: UpdateService | None = None


GUI_SWITCH_INTERVAL_S = 0.001


def build_window(app: QApplication, store: GuideStore, options: RunOptions) -> Kiosk:
    """Create the window and wire lock-down, the idle guard, staff mode and usage counting (also used by tests
    and screenshots)."""
    # Work off the GUI thread in Python (a take being processed, a voice pack checked) shares the interpreter with
    # the GUI thread: with Python's default of 5 ms per turn, a few slots in one pass of the event loop can wait
    # 20-30 ms. A turn of 1 ms keeps the GUI's waits short (measured: `make bench`, recording at Stop, 27 -> 9 ms).
    sys.setswitchinterval(GUI_SWITCH_INTERVAL_S)
    guide = CurrentGuide(store, poll_ms=0)  # run() starts the fallback poll; the update service reports installs
    window = KioskWindow(guide, IconSet(paths.icons_dir()), allow_close=options.windowed)
    guide.setParent(window)
    settings = options.settings or SettingsStore()
    # Input reaches the top-level QWindow before any widget: filtering there sees every touch, click and key
    # without paying for the thousands of internal events an application-wide filter would see.
    window.winId()
    handle = window.windowHandle()
    lockdown = Lockdown(window)
    handle.installEventFilter(lockdown)
    window.installEventFilter(lockdown)  # context menus and drag-and-drop are widget events
    idle = IdleGuard(options.idle_timeout_s * 1000, options.idle_countdown_s, window)
    handle.installEventFilter(idle)
    idle.warning_started.connect(window.show_idle_warning)
    idle.countdown_ticked.connect(window.overlay.update_countdown)
    idle.warning_cancelled.connect(window.overlay.hide)
    idle.expired.connect(window.reset_session)
    window.visitor_paused.connect(idle.pause)
    window.visitor_resumed.connect(idle.resume)
    usage = options.usage or Usage()
    wire_usage(window, idle, usage)
    contributions = Contributions(paths.data_dir() / "contrib")  # recordings and reviews made on this kiosk
    services = StaffServices(guide, settings, usage, contributions=contributions)

    live = LiveSettings(settings, window)

    def make_staff() -> StaffController:
        from kiosk.ui.staff.controller import StaffController

        staff = StaffController(window, window, services)
        staff.settings_changed.connect(live.publish)
        return staff

    window.staff_factory = make_staff
    window.contributions = contributions
    lockdown.staff_requested.connect(lambda: window.staff.request())
    session = window.session

    def follow(config: Config) -> None:  # the visitor's side: from the next visitor on
        session.audience = config.audience
        session.default_text_step = config.default_text_size
        window.language_order = config.language_order
        window.read_answers_aloud = config.read_answers_aloud
        window.invite_aloud = config.invite_aloud

    live.follow(follow)
    idle.set_timeout(options.idle_timeout_s * 1000)  # this run's value (it may come from the command line) ...
    live.changed.connect(lambda config: idle.set_timeout(config.idle_timeout_s * 1000))  # ... then the staff's
    session.text_step = session.default_text_step
    idle.start()
    return Kiosk(app, window, guide, idle, lockdown, usage, live, services)


def wire_usage(window: KioskWindow, idle: IdleGuard, usage: Usage) -> None:
    """Count question views, listens, searches, language choices and idle resets (counts per day only)."""
    window.screen_opened.connect(
        lambda screen, arg: usage.count("question_view", arg, window.lang) if screen == "answer" else None
    )
    window.searched.connect(lambda lang: usage.count("search", "", lang))
    window.language_changed.connect(lambda code: usage.count("language", code, code))
    idle.expired.connect(lambda: usage.count("idle_reset"))


def start_speech(kiosk: Kiosk) -> None:
    """Start the speech service (its worker process starts in the background) and let the window use it."""
    from kiosk.qt.speech import SpeechService

    window, usage = kiosk.window, kiosk.usage
    speech = SpeechService(kiosk.guide, window)
    window.attach_speech(speech)
    def follow(config: Config) -> None:
        speech.speed = config.speech_speed / 100
        speech.preferred = config.engines  # the staff's engine per language (voices page)

    kiosk.settings.follow(follow)
    kiosk.speech = kiosk.services.speech = speech

    def count_listen(key: str) -> None:
        if key.startswith("answer:"):
            usage.count("listen", key.removeprefix("answer:"), window.lang)

    speech.started.connect(count_listen)
    kiosk.app.aboutToQuit.connect(speech.shutdown)
    log.info("speech worker started (pid %s)", speech.worker_pid)
    speech.voices_checked.connect(
        lambda voiced: log.info(
            "voices: %s", ", ".join(f"{code} {'yes' if ok else 'NO VOICE'}" for code, ok in voiced.items())
        )
    )
    speech.failed.connect(lambda reason: log.error("speech: %s", reason))


def start_updates(kiosk: Kiosk, options: RunOptions, **service_options: Any) -> UpdateService:
    """Start looking for USB sticks (and polling the sync address): installs run on a worker thread.
    ``service_options`` go to UpdateService (tests: ``volumes``, ``usb_interval_s``, ``first_sync_s``)."""
    from kiosk.qt.updates import UpdateService

    window = kiosk.window
    first_sync_s = service_options.pop("first_sync_s", None)
    if first_sync_s is None and os.environ.get(FIRST_SYNC_ENV):
        first_sync_s = float(os.environ[FIRST_SYNC_ENV])  # automation: the first poll at a known moment
    if os.environ.get(USB_ROOTS_ENV) and "volumes" not in service_options:
        # For automation (end-to-end tests, a drop folder): these folders are watched as if they were sticks.
        roots = [Path(p) for p in os.environ[USB_ROOTS_ENV].split(os.pathsep) if p]
        service_options["volumes"] = lambda: [root for root in roots if root.is_dir()]
    service = UpdateService(options.trusted_keys, options.channel, options.sync_url, options.sync_interval_s,
                            allow_test_keys=options.allow_test_keys, parent=window, **service_options)  # fmt: skip

    def on_installed(version: int, kind: str, _source: str) -> None:
        kiosk.guide.check()  # opened off the GUI thread; everyone switches at the next safe moment
        if kind == "usb":
            window.notify("guide_updated", "usb_done")

    def on_refused(kind: str, _source: str, _reason: str) -> None:
        if kind == "usb":  # already logged and recorded with the reason, for the staff view
            window.notify("update_refused", "usb_done")

    service.usb_found.connect(lambda _folder: window.notify("update_checking", seconds=0))
    service.installed.connect(on_installed)
    service.voice_installed.connect(lambda _label, _source: kiosk.speech.reload_voices() if kiosk.speech else None)
    service.refused.connect(on_refused)
    service.finished.connect(lambda kind: window.notify("usb_done") if kind == "usb-same" else None)
    kiosk.app.aboutToQuit.connect(service.shutdown)
    service.start(first_sync_s)
    kiosk.updates = kiosk.services.updates = service
    if window.staff_built:  # else staff mode connects itself when it is built
        window.staff.attach_updates(service)
    usage, settings = kiosk.usage, kiosk.services.settings

    def copy_figures(stick: SafeDir) -> None:  # on an update job thread, for a stick with a genuine bundle
        if settings.config.stats_to_usb:
            target = usage.export_to_stick(stick, settings.config.site_name)
            log.info("usage figures copied to the stick: %s", target)

    def copy_contributions(stick: SafeDir) -> None:  # the same, for the recordings and review marks (opt-in too)
        contributions = kiosk.services.contributions
        if settings.config.contrib_to_usb and contributions is not None and not nothing_to_export(contributions):
            result = export_contributions(contributions, stick, settings.config.site_name)
            log.info("recordings and review marks copied to the stick: %s (%d recording(s), %d review file(s); "
                     "not finished: %s)", result.folder, result.recordings, result.reviews,
                     ", ".join(result.unfinished) or "none")  # fmt: skip

    service.add_stick_hook(copy_figures)
    service.add_stick_hook(copy_contributions)
    return service


def run(options: RunOptions) -> int:
    logs.setup(file=False)  # the log file is opened once the first screen is up
    log.info("Wegwijzer %s starting; data directory %s", __version__, paths.data_dir())
    if maintenance.end():
        log.info("maintenance ended: the kiosk was started again")
    app = cast(QApplication, QApplication.instance() or QApplication(sys.argv[:1]))
    app.setApplicationName("Wegwijzer")
    _quit_on_sigterm(app)
    families = fonts.register(paths.fonts_dir())
    log.info("fonts registered: %s", ", ".join(families))
    try:
        for leftover in guides.clean_leftovers():
            log.warning("removed what an interrupted install left behind: %s", leftover.name)
    except OSError as exc:
        log.error("could not clean up after an interrupted install: %s", exc)
    try:
        store = guides.open_best()
    except GuideError as exc:
        log.critical("no guide can be opened: %s", exc)
        return 2
    log.info("guide %s, version %s", store.path, store.content_version)
    kiosk = build_window(app, store, options)
    window = kiosk.window
    trace = UiTrace(kiosk, os.environ["WEGWIJZER_UI_TRACE"]) if os.environ.get("WEGWIJZER_UI_TRACE") else None

    window.guide.start_polling()  # the fallback for guides installed from the command line

    def _background_up() -> None:
        logs.open_file()
        start_speech(kiosk)
        if trace is not None:
            trace.watch_speech()
        if options.updates:
            start_updates(kiosk, options)

    after_first_paint(window, _background_up)  # the first screen comes first
    if options.windowed:
        window.resize(options.width, options.height)
        window.show()
    else:
        from PySide6.QtCore import Qt

        window.setWindowFlags(Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint)
        screen = app.primaryScreen()
        if screen is not None:
            window.setGeometry(screen.geometry())  # also right where no window manager handles full-screen
        window.showFullScreen()
    if os.environ.get("WEGWIJZER_READY_FILE"):
        after_first_paint(window, lambda: _write_ready(os.environ["WEGWIJZER_READY_FILE"]))
    if trace is not None:
        QTimer.singleShot(200, trace.write)
    usage = kiosk.usage
    flush = QTimer(window, interval=60_000)
    flush.timeout.connect(lambda: run_off_thread(usage.flush, on_failed=lambda e: log.error("usage figures: %s", e)))
    flush.start()
    app.aboutToQuit.connect(lambda: _final_flush(usage))
    return app.exec()


def _quit_on_sigterm(app: QApplication) -> None:
    """SIGTERM (systemd stopping the kiosk) ends the event loop cleanly, so today's usage figures are saved.
    Qt's loop does not run Python signal handlers by itself: the signal wakes a pipe it watches."""
    if sys.platform == "win32":
        return
    reader, writer = os.pipe()
    os.set_blocking(reader, False)
    os.set_blocking(writer, False)
    signal.set_wakeup_fd(writer)
    signal.signal(signal.SIGTERM, lambda *_: None)  # handled below, once Qt notices the wake-up byte

    def on_wakeup() -> None:
        received = b""
        with contextlib.suppress(OSError):
            received = os.read(reader, 64)
        names = ", ".join(signal.Signals(n).name for n in received if n in set(signal.Signals)) or "a signal"
        log.info("asked to stop (%s)", names)
        app.exit(0)  # not quit(): that first asks the windows to close, and the locked kiosk window refuses

    notifier = QSocketNotifier(reader, QSocketNotifier.Type.Read, app)
    notifier.activated.connect(on_wakeup)
    app._sigterm = notifier  # type: ignore[attr-defined]  # kept alive with the app


def _final_flush(usage: Usage) -> None:
    try:
        usage.flush()
    except (OSError, sqlite3.Error) as exc:
        log.error("usage figures of today could not be saved: %s", exc)


class _FirstPaint(QObject):
    def __init__(self, window: KioskWindow, callback: Callable[[], None]) -> None:
        super().__init__(window)
        self.callback = callback
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self.callback)  # runs once the event loop takes input again
        return False


def after_first_paint(window: KioskWindow, callback: Callable[[], None]) -> None:
    """Run ``callback`` once the window has painted its first screen."""
    _FirstPaint(window, callback)


def _write_ready(path: str) -> None:
    """For benchmarks and supervisors: the first screen is up."""
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"{os.getpid()}\n")
