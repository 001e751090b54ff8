"""Touch widgets: tiles and rows with an icon and wrapping text, kinetic scroll areas."""

from __future__ import annotations

import html
import logging

from PySide6.QtCore import QByteArray, QEvent, QObject, QRect, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QColor, QIcon, QImage, QPixmap, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QAbstractButton,
    QBoxLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QScroller,
    QScrollerProperties,
    QSizePolicy,
    QTextBrowser,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.guidecheck import MAX_ANSWER_CHARS, html_problem

log = logging.getLogger(__name__)


# A row button's inner layout: margins above and below together, at each side, and between its parts; what a
# row without an icon needs beside its text (the side margins, the empty icon's and trailing mark's spacing, a
# marked button's border). The language screen sizes its buttons with these.
BUTTON_MARGINS = 28
BUTTON_SIDE_MARGIN = 16
BUTTON_SPACING = 14
BUTTON_SIDES = 2 * BUTTON_SIDE_MARGIN + 2 * BUTTON_SPACING + 8


class TouchButton(QPushButton):
    """A button with an icon above (tile) or before (row) a label that wraps instead of eliding.

    A visible speaker mark (a button of its own, at the trailing end of a row or the top trailing corner of a
    tile) reads the label on a tap; the rest of the button still opens. Holding the button reads it too.

    Signals:
        activated(str): the button was tapped; carries its ``key`` (a language code, topic or question id).
        long_pressed(str, str): its label is to be read aloud (held down, or its speaker mark tapped): key, label.
    """

    activated = Signal(str)
    long_pressed = Signal(str, str)
    LONG_PRESS_MS = 700
    RELEASE_GRACE_MS = 60

    def __init__(self, key: str, text: str, pixmap: QPixmap | None = None, vertical: bool = True,
                 trailing: QPixmap | None = None, parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.vertical = vertical
        self.setObjectName("tile" if vertical else "row")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        layout: QBoxLayout = QVBoxLayout(self) if vertical else QHBoxLayout(self)
        self._layout = layout  # kept: QWidget.layout() is typed as possibly None
        layout.setContentsMargins(BUTTON_SIDE_MARGIN, BUTTON_MARGINS // 2, BUTTON_SIDE_MARGIN, BUTTON_MARGINS // 2)
        layout.setSpacing(BUTTON_SPACING)
        self.icon_label = QLabel()
        self.icon_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        icon_align = Qt.AlignmentFlag.AlignCenter if vertical else Qt.AlignmentFlag.AlignVCenter
        layout.addWidget(self.icon_label, 0, icon_align)
        self.text_label = QLabel()
        self.text_label.setWordWrap(True)
        self.text_label.setObjectName("tileText" if vertical else "rowText")
        layout.addWidget(self.text_label, 1)
        self.speaker = QToolButton(self)
        self.speaker.setObjectName("speakerMark")
        self.speaker.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.speaker.clicked.connect(self._on_speaker_clicked)
        self.speaker.hide()
        if not vertical:  # a tile's mark sits in its corner (see resizeEvent)
            layout.addWidget(self.speaker, 0, Qt.AlignmentFlag.AlignVCenter)
        self.trailing_label = QLabel()
        layout.addWidget(self.trailing_label, 0, Qt.AlignmentFlag.AlignVCenter)
        for child in (self.icon_label, self.text_label, self.trailing_label):
            child.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.clicked.connect(self._on_clicked)
        self._long = False
        self._hold = QTimer(self, singleShot=True, interval=self.LONG_PRESS_MS)
        self._hold.timeout.connect(self._on_hold_timeout)
        self.pressed.connect(self._on_pressed)
        self.released.connect(self._hold.stop)
        self.set_content(key, text, pixmap, trailing)

    def set_speaker(self, pixmap: QPixmap | None, size: int = 0, name: str = "") -> None:
        """Show the speaker mark (``size``: its square touch target) or hide it (``pixmap`` None)."""
        if pixmap is None:
            self.speaker.hide()
            return
        self.speaker.setIcon(QIcon(pixmap))
        self.speaker.setIconSize(pixmap.deviceIndependentSize().toSize())
        hint = self.speaker.sizeHint()  # its icon and the style's padding, whatever the text size
        side = max(size, hint.width(), hint.height())
        self.speaker.setFixedSize(side, side)
        self.speaker.setAccessibleName(name)
        self.speaker.show()
        self._place_speaker()

    def _place_speaker(self) -> None:
        if self.vertical and not self.speaker.isHidden():
            margin = 6
            x = margin if self.isRightToLeft() else self.width() - self.speaker.width() - margin
            self.speaker.move(x, margin)
            self.speaker.raise_()

    def resizeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().resizeEvent(event)
        self._place_speaker()

    def changeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().changeEvent(event)
        if event.type() == QEvent.Type.LayoutDirectionChange:
            self._place_speaker()

    def _on_speaker_clicked(self) -> None:
        self._hold.stop()
        self.long_pressed.emit(self.key, self.accessibleName())

    def set_content(self, key: str, text: str, pixmap: QPixmap | None = None, trailing: QPixmap | None = None,
                    rich: bool = False) -> None:  # fmt: skip
        """Show new content (buttons are reused from screen to screen: creating widgets is slow)."""
        self.key = key
        self.setAccessibleName(text)
        self.setDown(False)
        for label, image in ((self.icon_label, pixmap), (self.trailing_label, trailing)):
            if image is None:
                label.hide()
            else:
                label.setPixmap(image)
                label.show()
        self.text_label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
        align = Qt.AlignmentFlag.AlignHCenter if self.vertical else Qt.AlignmentFlag.AlignLeading
        self.text_label.setAlignment(align | Qt.AlignmentFlag.AlignVCenter)
        self.text_label.setText(text)

    def _on_pressed(self) -> None:
        self._long = False
        self._hold.start()

    def _on_hold_timeout(self) -> None:
        """Held down: say what this is instead of going there (for people who read little).

        The timer only says the GUI has not seen the release yet; after a stall (a busy machine) a quick tap's
        release may still be waiting in the queue. One more short pass lets it in: only a button still down
        after that is a hold."""
        QTimer.singleShot(self.RELEASE_GRACE_MS, self, self._confirm_hold)

    def _confirm_hold(self) -> None:
        if self.isDown() and not self._long:
            self._long = True
            self.long_pressed.emit(self.key, self.accessibleName())

    def _on_clicked(self) -> None:
        if self._long:
            self._long = False
            return
        self.activated.emit(self.key)

    def sizeHint(self) -> QSize:
        return self._layout.sizeHint()

    def minimumSizeHint(self) -> QSize:
        return self._layout.minimumSize()

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._layout.totalHeightForWidth(width)


def kinetic_scroll_area(content: QWidget) -> QScrollArea:
    """A vertical scroll area that scrolls by dragging a finger, with momentum (QScroller)."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)  # a constant width: no re-wrapping
    area.setWidget(content)
    QScroller.grabGesture(area.viewport(), QScroller.ScrollerGestureType.TouchGesture)
    scroller = QScroller.scroller(area.viewport())
    props = scroller.scrollerProperties()
    props.setScrollMetric(
        QScrollerProperties.ScrollMetric.HorizontalOvershootPolicy,
        QScrollerProperties.OvershootPolicy.OvershootAlwaysOff,
    )
    props.setScrollMetric(QScrollerProperties.ScrollMetric.DragStartDistance, 0.004)
    scroller.setScrollerProperties(props)
    return area


def wrapping_label(text: str = "", object_name: str = "", rich: bool = False) -> QLabel:
    """A label that wraps, cannot be selected and never opens links."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
    label.setOpenExternalLinks(False)
    label.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
    if object_name:
        label.setObjectName(object_name)
    return label


def answer_html(body_html: str, body_text: str) -> str:
    """An answer's HTML if it is what the build writes (guidecheck's allow-list), else its plain text, escaped.

    Installed guides passed the same check; this is the second line (a bundled or older guide, a bug).
    """
    problem = html_problem(body_html)
    if problem is None:
        return body_html
    log.warning("answer HTML refused at display, showing its plain text: %s", problem)
    return "".join(f"<p>{html.escape(line)}</p>" for line in body_text[:MAX_ANSWER_CHARS].split("\n") if line)


class RichText(QTextBrowser):
    """Read-only rich text that grows to its full height (no own scrolling, no selection, no links).

    Used for answer bodies: unlike a QLabel it keeps an exact height for any width, and its QTextDocument
    lets speech highlight character ranges. It loads no resource at all (no file, no network, no data URL),
    shows no image and draws links as plain text, whatever HTML it is given.
    """

    _NOTHING = QImage()  # a 1x1 transparent image, made on first use

    def __init__(self, html: str = "", object_name: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if object_name:
            self.setObjectName(object_name)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.viewport().setAutoFillBackground(False)
        self.document().setDocumentMargin(0)
        self.document().setUndoRedoEnabled(False)  # read-only: an undo history would only grow
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.set_content(html)

    def highlight(self, span: tuple[int, int] | None) -> QRect | None:
        """Light up the characters ``span`` (document positions) as the word being spoken; None clears.
        Returns the word's rectangle in widget coordinates."""
        if span is None:
            self.setExtraSelections([])
            return None
        selection = QTextEdit.ExtraSelection()
        cursor = QTextCursor(self.document())
        end = min(span[1], self.document().characterCount() - 1)
        cursor.setPosition(min(span[0], end))
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        selection.cursor = cursor
        selection.format.setBackground(QColor(self.highlight_colour))
        selection.format.setForeground(QColor("#000000"))
        self.setExtraSelections([selection])
        return self.cursorRect(cursor)

    highlight_colour = "#FFD23F"

    def set_content(self, html: str) -> None:
        """Show ``html`` in the widget's current font and take the height it needs."""
        self.document().setDefaultFont(self.font())
        self.setHtml(html)
        self._plain_links_no_images()
        self._heights: dict[int, int] = {}
        self.updateGeometry()  # the layout sizes it through heightForWidth: never a stale fixed height

    def loadResource(self, kind: int, name: QUrl | str) -> object:
        """Nothing is loaded, for any URL. Not an empty answer: QTextDocument then reads a file: or data: URL
        itself, and the image handler opens a path it could not load; a harmless non-empty value stops both."""
        if kind == QTextDocument.ResourceType.ImageResource.value:
            if RichText._NOTHING.isNull():
                RichText._NOTHING = QImage(1, 1, QImage.Format.Format_ARGB32)
                RichText._NOTHING.fill(Qt.GlobalColor.transparent)
            return RichText._NOTHING
        return QByteArray(b" ")

    def _plain_links_no_images(self) -> None:
        """Remove images and turn links into plain text (the HTML may say otherwise)."""
        cursor = QTextCursor(self.document())
        block = self.document().begin()
        edits: list[tuple[int, int, QTextCharFormat | None]] = []
        while block.isValid():
            it = block.begin()
            while not it.atEnd():
                fragment = it.fragment()
                fmt = fragment.charFormat()
                if fmt.isImageFormat():
                    edits.append((fragment.position(), fragment.length(), None))
                elif fmt.isAnchor() or fmt.anchorHref():
                    plain = QTextCharFormat(fmt)
                    plain.setAnchor(False)
                    plain.setAnchorHref("")
                    plain.setAnchorNames([])
                    plain.setFontUnderline(False)
                    plain.clearForeground()
                    edits.append((fragment.position(), fragment.length(), plain))
                it += 1
            block = block.next()
        for position, length, new_format in reversed(edits):  # from the end: positions before stay valid
            cursor.setPosition(position)
            cursor.setPosition(position + length, QTextCursor.MoveMode.KeepAnchor)
            if new_format is None:
                cursor.removeSelectedText()
            else:
                cursor.setCharFormat(new_format)

    def changeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        self._heights = {}  # a new font or style changes every height
        super().changeEvent(event)

    def document_height(self, width: int) -> int:
        """Height of the whole text at ``width`` (memoised: layouts ask many times per render)."""
        heights = getattr(self, "_heights", None)
        if heights is None:
            heights = self._heights = {}
        if width not in heights:
            doc = self.document()
            old = doc.textWidth()
            doc.setTextWidth(width)
            heights[width] = int(doc.size().height()) + 2
            doc.setTextWidth(old)
        return heights[width]

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self.document_height(width)

    def sizeHint(self) -> QSize:
        width = max(200, self.width())
        return QSize(width, self.document_height(width))

    def minimumSizeHint(self) -> QSize:
        return QSize(100, self.document_height(max(200, self.width())))

    def resizeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self.updateGeometry()


class HoldToHear(QObject):
    """Event filter for buttons: held down for a while, the button is not pressed but its label is read aloud.

    Signals:
        held(str): the accessible name of the button that was held.
    """

    held = Signal(str)

    def __init__(self, parent: QObject | None = None, hold_ms: int = TouchButton.LONG_PRESS_MS) -> None:
        super().__init__(parent)
        self._timer = QTimer(self, singleShot=True, interval=hold_ms)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._button: QAbstractButton | None = None
        self._fired = False

    def watch(self, button: QAbstractButton) -> None:
        button.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress and isinstance(watched, QAbstractButton):
            self._button, self._fired = watched, False
            self._timer.start()
        elif kind == QEvent.Type.MouseButtonRelease and watched is self._button:
            self._timer.stop()
            if self._fired:
                self._fired = False
                watched.setDown(False)
                return True  # swallowed: a long press never triggers the button
        return False

    def _on_timer_timeout(self) -> None:
        if self._button is not None and self._button.isDown():
            self._fired = True
            self.held.emit(self._button.accessibleName() or self._button.text())


def staff_button(text: str, name: str = "primary", checkable: bool = False) -> QPushButton:
    """A staff screen's button: its style by ``name``, no keyboard focus (a touchscreen)."""
    button = QPushButton(text)
    button.setObjectName(name)
    button.setCheckable(checkable)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return button
