"""The staff view: guide and updates, settings, voices, usage figures, the log, and the way into presenter mode.

It covers the whole window and is laid out left to right in the staff language (Dutch, French or English).
Everything that reads files (update status, usage figures, the log) runs off the GUI thread.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFontDatabase, QIcon
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk import clock, logs
from kiosk.qt.background import run_off_thread
from kiosk.settings import FIELDS, SettingError, accepts_text, check
from kiosk.ui.icons import IconSet
from kiosk.ui.screens.base import clear_layout
from kiosk.ui.staff.charts import BarChart, DayChart
from kiosk.ui.staff.keyboard import KEY_LABELS, StaffKeyboard
from kiosk.ui.staff.services import StaffServices
from kiosk.ui.staff.texts import staff_text
from kiosk.ui.widgets import kinetic_scroll_area, staff_button, wrapping_label
from kiosk.usage import KINDS

PAGES = ("page_guide", "page_settings", "page_voices", "page_usage", "page_log", "page_presenter", "page_contribute")


class StaffView(QWidget):
    """Signals:
    back_requested(): back to the kiosk.
    exit_requested(): exit the kiosk (confirmed).
    settings_changed(object): the new Config, after a successful save.
    presenter_requested(str, str): start presenter mode (presenter language, audience language).
    recording_kept(str, str, str): a recording's take was kept on the record page (language, question, part).
    """

    back_requested = Signal()
    exit_requested = Signal()
    settings_changed = Signal(object)
    presenter_requested = Signal(str, str)
    recording_kept = Signal(str, str, str)

    def __init__(self, services: StaffServices, parent: QWidget, icons: IconSet) -> None:
        super().__init__(parent)
        self.icons = icons
        self.setObjectName("staffView")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.services = services
        self.lang = services.settings.config.staff_language
        self.checking = False  # "look for an update now" was pressed and has not finished
        self.current_page = PAGES[0]
        self.hide()

    # --- building --------------------------------------------------------------------------------
    def t(self, key: str, **values: object) -> str:
        return staff_text(self.lang, key, **values)

    def open(self) -> None:
        """Build (in the current staff language) and show, on the guide page."""
        self.lang = self.services.settings.config.staff_language
        old = self.layout()
        if old is not None:
            QWidget().setLayout(old)  # drop the old layout and its widgets
        outer = QVBoxLayout(self)
        header = QHBoxLayout()
        header.addWidget(wrapping_label(self.t("title"), "screenTitle"), 1)
        self.back = staff_button(self.t("back_to_kiosk"))
        self.back.clicked.connect(self.back_requested)
        self.exit = staff_button(self.t("exit_kiosk"))
        self.exit.clicked.connect(self._on_exit_clicked)
        header.addWidget(self.back)
        header.addWidget(self.exit)
        outer.addLayout(header)
        self.confirm = QWidget()
        confirm_row = QHBoxLayout(self.confirm)
        confirm_row.addWidget(wrapping_label(self.t("exit_confirm"), "sectionTitle"), 1)
        yes, no = staff_button(self.t("yes_exit")), staff_button(self.t("no"))
        yes.clicked.connect(self.exit_requested)
        no.clicked.connect(self.confirm.hide)
        confirm_row.addWidget(yes)
        confirm_row.addWidget(no)
        self.confirm.hide()
        outer.addWidget(self.confirm)
        self.keyboard = StaffKeyboard({key: self.t(key) for key in KEY_LABELS})
        tabs = QGridLayout()
        self.tabs: dict[str, QPushButton] = {}
        self.pages = QStackedWidget()
        builders: dict[str, Callable[[], QWidget]] = {
            "page_guide": self._guide_page, "page_settings": self._settings_page, "page_voices": self._voices_page,
            "page_usage": self._usage_page, "page_log": self._log_page, "page_presenter": self._presenter_page,
            "page_contribute": self._contribute_page,
        }  # fmt: skip
        for index, key in enumerate(PAGES):
            tab = staff_button(self.t(key), "toggle", checkable=True)
            tab.clicked.connect(lambda _c=False, k=key: self.show_page(k))
            tabs.addWidget(tab, index // 4, index % 4)
            self.tabs[key] = tab
            self.pages.addWidget(kinetic_scroll_area(builders[key]()))
        outer.addLayout(tabs)
        outer.addWidget(self.pages, 1)
        outer.addWidget(self.keyboard)
        parent = self.parentWidget()
        if parent is None:  # made with a parent (the window) and never reparented
            raise RuntimeError("the staff view has no window to cover")
        self.setGeometry(parent.rect())
        self.show_page("page_guide")
        self.raise_()
        self.show()

    def show_page(self, key: str) -> None:
        self.keyboard.close_keys()
        if key != "page_contribute" and getattr(self, "contribute", None) is not None:
            self.contribute.leave()
        for name, tab in self.tabs.items():
            tab.setChecked(name == key)
        self.pages.setCurrentIndex(PAGES.index(key))
        self.current_page = key
        refresh = {"page_guide": self.refresh_guide, "page_usage": self.refresh_usage, "page_log": self.refresh_log,
                   "page_voices": self.refresh_voices}  # fmt: skip
        if key in refresh:
            refresh[key]()

    def _on_exit_clicked(self) -> None:
        self.confirm.show()

    # --- guide and updates -----------------------------------------------------------------------
    def _guide_page(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        self.guide_labels = [wrapping_label("", "sectionTitle"), wrapping_label("", "muted"),
                             wrapping_label("", "")]  # fmt: skip
        for label in self.guide_labels:
            column.addWidget(label)
        self.check_button = staff_button(self.t("check_now"))
        self.check_button.clicked.connect(self._on_check_clicked)
        column.addWidget(self.check_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.check_status = wrapping_label("", "muted")
        column.addWidget(self.check_status)
        if self.services.updates is None or not self.services.updates.sync_url:
            self.check_status.setText(self.t("sync_off"))
        column.addWidget(wrapping_label(self.t("facts_title"), "sectionTitle"))
        self.facts_label = wrapping_label("", "")
        column.addWidget(self.facts_label)
        column.addWidget(wrapping_label(self.t("attempts"), "sectionTitle"))
        self.attempts_label = wrapping_label("", "")
        self.attempts_label.setTextFormat(Qt.TextFormat.PlainText)
        column.addWidget(self.attempts_label)
        column.addStretch(1)
        return page

    def refresh_guide(self) -> None:
        from kiosk.updates.install import status

        run_off_thread(status, self._show_status)

    def _show_status(self, info: dict[str, Any]) -> None:
        if not self.isVisible():
            return
        store = self.services.store
        built = store.meta.get("edition", "")
        self.guide_labels[0].setText(self.t("guide_version", version=store.content_version, built=built or "?"))
        self.guide_labels[1].setText(self.t("guide_file", path=info["in_use"]))
        self.guide_labels[2].setText(self.t("highest_version", version=info["highest_version"] or "-"))
        ending = store.facts_ending(clock.today())
        self.facts_label.setText("\n".join(
            self.t("fact_expired" if expired else "fact_ending", fact=fid, date=until) for fid, until, expired in ending
        ) or self.t("facts_none"))  # fmt: skip
        attempts = info["attempts"][-10:][::-1]
        lines = [f"{a['when']}  v{a['version'] or '-'}  {a['result']}  {a['source']}"
                 + "".join(f"\n    {text}" for text in (a["reason"], a.get("key", "")) if text)
                 for a in attempts]  # fmt: skip
        self.attempts_label.setText("\n".join(lines) or self.t("no_attempts"))

    def _on_check_clicked(self) -> None:
        updates = self.services.updates
        if updates is None:
            return
        self.check_status.setText(self.t("checking"))
        self.check_button.setEnabled(False)
        self.checking = True
        updates.check_now()

    def on_update_finished(self, kind: str) -> None:
        """The update service finished a look (USB or sync): show the new state."""
        if not self.isVisible():
            return
        if self.checking and self.services.updates is not None and not self.services.updates.busy:
            self.checking = False
            self.check_button.setEnabled(True)
            self.check_status.setText(self.t("check_done"))
        if self.current_page == "page_guide":
            self.refresh_guide()

    # --- settings --------------------------------------------------------------------------------
    def _settings_page(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        config = self.services.settings.config
        self.editors: dict[str, Callable[[], Any]] = {}
        for name in FIELDS:
            if name == "voice_engines":
                continue  # chosen per language on the voices page
            column.addWidget(wrapping_label(self.t(f"setting_{name}"), "sectionTitle"))
            accepts = accepts_text(name)
            if accepts and FIELDS[name].type == "int":
                column.addWidget(wrapping_label(accepts, "muted"))
            column.addWidget(self._editor(name, getattr(config, name)))
        self.settings_message = wrapping_label("", "sectionTitle")
        save = staff_button(self.t("save"))
        save.clicked.connect(self.save_settings)
        column.addWidget(save, 0, Qt.AlignmentFlag.AlignLeft)
        column.addWidget(self.settings_message)
        column.addWidget(wrapping_label(self.t("restart_note"), "muted"))
        column.addStretch(1)
        return page

    def _editor(self, name: str, value: Any) -> QWidget:
        f = FIELDS[name]
        meta = f.metadata
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        if f.type == "bool":
            toggle = staff_button("", "toggle", checkable=True)
            toggle.toggled.connect(lambda on: toggle.setText(self.t("yes") if on else self.t("no")))
            toggle.setChecked(bool(value))
            toggle.setText(self.t("yes") if value else self.t("no"))
            row.addWidget(toggle)
            row.addStretch(1)
            self.editors[name] = toggle.isChecked
        elif f.type == "int":
            minus, plus = staff_button("–", "key"), staff_button("+", "key")
            shown = wrapping_label(str(value), "sectionTitle")
            shown.setAlignment(Qt.AlignmentFlag.AlignCenter)
            shown.setMinimumWidth(160)
            current = [int(value)]

            def step(direction: int) -> None:
                current[0] = max(meta["low"], min(meta["high"], current[0] + direction * meta["step"]))
                shown.setText(str(current[0]))

            minus.clicked.connect(lambda: step(-1))
            plus.clicked.connect(lambda: step(1))
            for widget in (minus, shown, plus):
                row.addWidget(widget)
            row.addStretch(1)
            self.editors[name] = lambda: current[0]
        elif meta["choices"]:
            buttons = []
            for choice in meta["choices"]:
                button = staff_button(choice, "toggle", checkable=True)
                button.setAutoExclusive(True)
                button.setChecked(choice == value)
                buttons.append((choice, button))
                row.addWidget(button)
            row.addStretch(1)
            self.editors[name] = lambda: next((c for c, b in buttons if b.isChecked()), value)
        elif f.type == "tuple[str, ...]":
            return self._language_order_editor(name, value)
        else:
            edit = QLineEdit(str(value))
            edit.setObjectName("staffEdit")
            edit.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
            self.keyboard.watch(edit)  # a touchscreen has no keyboard: a tap opens on-screen keys
            row.addWidget(edit, 1)
            self.editors[name] = edit.text
        return box

    def _language_order_editor(self, name: str, value: tuple[str, ...]) -> QWidget:
        """Every language of the guide: shown or not, and moved up or down."""
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        guide_order = [lang.code for lang in self.services.store.languages()]
        order = [c for c in value if c in guide_order] + [c for c in guide_order if c not in value]
        shown = set(value) or set(guide_order)
        names = {lang.code: lang.name for lang in self.services.store.languages()}
        rows: list[tuple[str, QPushButton]] = []

        def rebuild() -> None:
            clear_layout(column)
            rows.clear()
            for index, code in enumerate(order):
                line = QWidget()
                row = QHBoxLayout(line)
                row.setContentsMargins(0, 0, 0, 0)
                toggle = staff_button(f"{names[code]} ({code})", "toggle", checkable=True)
                toggle.setChecked(code in shown)
                mark(toggle, code in shown)
                toggle.toggled.connect(lambda on, c=code, b=toggle: show(c, on, b))
                up, down = staff_button("", "key"), staff_button("", "key")
                for arrow, degrees in ((up, -90), (down, 90)):
                    arrow.setIcon(self.icons.icon("chevron-right", 40, "#1A1A1A", rotate=degrees))
                    arrow.setIconSize(QSize(40, 40))
                up.setEnabled(index > 0)
                down.setEnabled(index < len(order) - 1)
                up.clicked.connect(lambda _c=False, i=index: move(i, -1))
                down.clicked.connect(lambda _c=False, i=index: move(i, 1))
                row.addWidget(toggle, 1)
                row.addWidget(up)
                row.addWidget(down)
                column.addWidget(line)
                rows.append((code, toggle))

        def mark(button: QPushButton, on: bool) -> None:
            button.setIcon(self.icons.icon("check", 36, "#FFFFFF") if on else QIcon())
            button.setIconSize(QSize(36, 36))

        def show(code: str, on: bool, button: QPushButton) -> None:
            (shown.add if on else shown.discard)(code)
            mark(button, on)

        def move(index: int, direction: int) -> None:
            other = index + direction
            order[index], order[other] = order[other], order[index]
            rebuild()

        def current() -> tuple[str, ...]:
            chosen = tuple(c for c in order if c in shown)
            if not chosen:
                raise SettingError("at least one language must be shown")
            return () if list(chosen) == guide_order else chosen  # all, in the guide's order: follow the guide

        rebuild()
        self.editors[name] = current
        return box

    def save_settings(self) -> bool:
        """Check every value first; store them only if all are accepted. Returns True when saved."""
        store = self.services.settings
        try:
            values = {name: check(name, read()) for name, read in self.editors.items()}
            changed = {k: v for k, v in values.items() if getattr(store.config, k) != v}
            for name, value in changed.items():
                store.set(name, value)
        except (SettingError, OSError) as exc:
            self.settings_message.setText(self.t("refused", reason=exc))
            return False
        self.settings_message.setText(self.t("saved"))
        if changed:
            self.settings_changed.emit(store.config)
        return True

    # --- voices ----------------------------------------------------------------------------------
    def _voices_page(self) -> QWidget:
        self.voices_box = QWidget()
        self.voices_holder = QVBoxLayout(self.voices_box)
        self.voices_holder.setContentsMargins(0, 0, 0, 0)
        return self.voices_box

    def refresh_voices(self) -> None:
        """Rebuilt when shown: per language the voice that reads it, the engine the staff chose, a test.

        The voices are listed by the speech worker some time after start-up (and again after a voice pack)."""
        from kiosk.speech.engine import pick_voice
        from kiosk.speech.installed import read_installed
        from kiosk.updates.voicepack import load_state

        holder = self.voices_holder
        clear_layout(holder)
        page = QWidget()
        holder.addWidget(page)
        grid = QGridLayout(page)
        speech = self.services.speech
        store = self.services.store
        chosen = self.services.settings.config.engines
        packs = read_installed()  # a few hundred bytes
        recordings = store.recorded_counts()
        engines = speech.engine_voices if speech is not None else {}
        for index, language in enumerate(store.languages()):
            code = language.code
            # the name isolated: "العربية (ar)" stays in that order in a left-to-right staff screen
            name = wrapping_label(f"\u2068{language.name}\u2069 ({code})", "sectionTitle")
            name.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignAbsolute)
            grid.addWidget(name, 2 * index, 0)
            voice = speech.voice_for(code) if speech is not None else None
            recorded = recordings.get(code, 0) > 0
            if voice is None:
                status = self.t("recordings_only" if recorded else "voice_missing")
            else:
                engine, _, tag = voice.partition(":")
                identifier = engines.get(engine, {}).get(tag, tag)
                status = self.t("voice_in_use", voice=f"{self.t('engine_' + engine)} · {identifier}")
                pack = packs.get(str(identifier))
                if engine == "piper" and pack:
                    licences = ", ".join(str(x) for x in pack.get("licences", []))  # type: ignore[attr-defined]
                    status += "\n" + self.t("voice_pack", name=identifier, version=pack.get("version"),
                                             licences=licences)  # fmt: skip
            grid.addWidget(wrapping_label(status, "muted"), 2 * index, 1)
            test = staff_button(self.t("test_voice"))
            test.setEnabled(voice is not None)
            test.clicked.connect(lambda _c=False, c=code: self.test_voice(c))
            grid.addWidget(test, 2 * index, 2)
            choices = QWidget()
            row = QHBoxLayout(choices)
            row.setContentsMargins(0, 0, 0, 12)
            current = chosen.get(code, "auto")
            for option in ("auto", *engines):
                button = staff_button(self.t(f"engine_{option}"), "toggle", checkable=True)
                button.setProperty("engine", f"{code}-{option}")  # found by tests; the style stays "toggle"
                button.setAutoExclusive(True)
                available = option == "auto" or pick_voice(language.voices, engines.get(option, {})) is not None
                button.setEnabled(available)
                button.setChecked(option == current)
                button.clicked.connect(lambda _c=False, c=code, o=option: self.choose_engine(c, o))
                row.addWidget(button)
            row.addStretch(1)
            grid.addWidget(choices, 2 * index + 1, 0, 1, 3)
        attempts = [vars(a) for a in load_state().attempts[-3:]]  # the last packs tried: installed, or why not
        for offset, attempt in enumerate(attempts):
            line = f"{attempt.get('when', '')}  {attempt.get('result', '')}  {attempt.get('reason', '')}"
            grid.addWidget(wrapping_label(line, "muted"), 2 * len(store.languages()) + offset, 0, 1, 3)
        grid.setRowStretch(2 * len(store.languages()) + len(attempts), 1)

    def choose_engine(self, code: str, engine: str) -> None:
        """Staff chose the engine for ``code`` ('auto': the best it has): stored at once and used from the next
        sentence."""
        store = self.services.settings
        engines = {k: v for k, v in store.config.engines.items() if k != code}
        if engine != "auto":
            engines[code] = engine
        try:
            store.set("voice_engines", tuple(f"{k}={v}" for k, v in sorted(engines.items())))
        except (SettingError, OSError) as exc:
            self.voices_holder.addWidget(wrapping_label(self.t("refused", reason=exc), "sectionTitle"))
            return
        self.settings_changed.emit(store.config)
        self.refresh_voices()

    def test_voice(self, code: str) -> None:
        speech = self.services.speech
        if speech is None:
            return
        strings = self.services.store.ui_strings(code)
        text = f"{strings.get('app_title', '')}. {strings.get('choose_language', '')}."
        speech.speak(f"voice-check:{code}", [text], code)

    # --- record and review ---------------------------------------------------------------------------
    def _contribute_page(self) -> QWidget:
        from kiosk.ui.staff.contribute import ContributePage

        self.contribute = ContributePage(self.services, self.t, self.keyboard)
        self.contribute.recording_kept.connect(self.recording_kept)
        return self.contribute

    # --- usage -----------------------------------------------------------------------------------
    def _usage_page(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        self.usage_totals = wrapping_label("", "sectionTitle")
        column.addWidget(self.usage_totals)
        column.addWidget(wrapping_label(self.t("most_viewed"), "sectionTitle"))
        self.views_chart = BarChart()
        column.addWidget(self.views_chart)
        column.addWidget(wrapping_label(self.t("languages_per_day"), "sectionTitle"))
        self.languages_chart = DayChart()
        column.addWidget(self.languages_chart)
        state = self.t("on" if self.services.settings.config.stats_to_usb else "off")
        column.addWidget(wrapping_label(self.t("export_usage", state=state), "muted"))
        column.addStretch(1)
        return page

    def refresh_usage(self) -> None:
        usage = self.services.usage

        def figures() -> dict[str, Any]:
            usage.flush()
            month = usage.today() - dt.timedelta(days=29)
            fortnight = usage.today() - dt.timedelta(days=13)
            return {
                "views": usage.totals("question_view", since=month),
                "totals": {kind: sum(n for _, n in usage.totals(kind, by="day", since=month)) for kind in KINDS},
                "languages": usage.rows("language", since=fortnight),
                "days": [(fortnight + dt.timedelta(days=i)).isoformat() for i in range(14)],
            }

        run_off_thread(figures, self._show_usage)

    def _show_usage(self, figures: dict[str, Any]) -> None:
        if not self.isVisible():
            return
        t = figures["totals"]
        self.usage_totals.setText(self.t("usage_totals", views=t["question_view"], listens=t["listen"],
                                         searches=t["search"], resets=t["idle_reset"]))  # fmt: skip
        store = self.services.store
        titles = []
        for qid, count in figures["views"][:10]:
            try:
                titles.append((store.answer(qid, self.lang).question, count))
            except KeyError:
                titles.append((qid, count))
        self.views_chart.set_items(titles or [(self.t("no_usage"), 0)])
        days: list[str] = figures["days"]
        series: dict[str, list[int]] = {}
        for row in figures["languages"]:
            if row.day in days:
                series.setdefault(row.key, [0] * len(days))[days.index(row.day)] += row.count
        self.languages_chart.set_data(days, dict(sorted(series.items(), key=lambda kv: -sum(kv[1]))))

    # --- log -------------------------------------------------------------------------------------
    def _log_page(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        self.log_view = QPlainTextEdit()
        self.log_view.setObjectName("staffLog")
        self.log_view.setReadOnly(True)
        self.log_view.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.log_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.log_view.setMinimumHeight(900)
        column.addWidget(self.log_view)
        return page

    def refresh_log(self) -> None:
        run_off_thread(logs.tail, self._show_log)

    def _show_log(self, text: str) -> None:
        if self.isVisible():
            self.log_view.setPlainText(text or "-")
            self.log_view.verticalScrollBar().setValue(self.log_view.verticalScrollBar().maximum())

    # --- presenter -------------------------------------------------------------------------------
    def _presenter_page(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        column.addWidget(wrapping_label(self.t("presenter_intro"), ""))
        languages = self.services.store.languages()
        self.presenter_choice: dict[str, str] = {"presenter": self.lang, "audience": languages[0].code}
        for role, title in (("presenter", "presenter_lang"), ("audience", "audience_lang")):
            column.addWidget(wrapping_label(self.t(title), "sectionTitle"))
            grid = QGridLayout()
            for index, language in enumerate(languages):
                button = staff_button(language.name, "toggle", checkable=True)
                button.setAutoExclusive(True)
                button.setChecked(language.code == self.presenter_choice[role])
                button.clicked.connect(lambda _c=False, r=role, c=language.code: self._choose(r, c))
                grid.addWidget(button, index // 5, index % 5)
            box = QWidget()
            box.setLayout(grid)
            column.addWidget(box)
        start = staff_button(self.t("start_presenter"))
        start.setObjectName("primary")
        start.clicked.connect(
            lambda: self.presenter_requested.emit(self.presenter_choice["presenter"], self.presenter_choice["audience"])
        )
        column.addWidget(start, 0, Qt.AlignmentFlag.AlignLeft)
        column.addStretch(1)
        return page

    def _choose(self, role: str, code: str) -> None:
        self.presenter_choice[role] = code
