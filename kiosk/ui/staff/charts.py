"""Two small charts for the staff view, painted with QPainter: ranked bars and stacked bars per day."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

# Distinguishable for most forms of colour blindness (Okabe-Ito), then greys.
SERIES_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
                  "#7F7F7F", "#BBBBBB"]  # fmt: skip


class BarChart(QWidget):
    """Horizontal bars, largest first: a label, a bar, the number."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.items: list[tuple[str, int]] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_items(self, items: list[tuple[str, int]]) -> None:
        self.items = items
        self.setFixedHeight(self._row() * max(1, len(items)))
        self.update()

    def _row(self) -> int:
        return QFontMetrics(self.font()).height() + 12

    def sizeHint(self) -> QSize:
        return QSize(600, self._row() * max(1, len(self.items)))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        metrics = QFontMetrics(self.font())
        label_w = min(self.width() // 2, max((metrics.horizontalAdvance(t) for t, _ in self.items), default=0) + 12)
        number_w = metrics.horizontalAdvance("00000") + 12
        top = max((v for _, v in self.items), default=1) or 1
        row = self._row()
        for index, (text, value) in enumerate(self.items):
            y = index * row
            elided = metrics.elidedText(text, Qt.TextElideMode.ElideRight, label_w - 12)
            painter.setPen(self.palette().windowText().color())
            painter.drawText(QRectF(0, y, label_w - 12, row), Qt.AlignmentFlag.AlignVCenter, elided)
            width = (self.width() - label_w - number_w) * value / top
            painter.fillRect(QRectF(label_w, y + 4, max(2.0, width), row - 8), QColor(SERIES_COLOURS[0]))
            painter.drawText(QRectF(label_w + width + 6, y, number_w, row), Qt.AlignmentFlag.AlignVCenter, str(value))
        painter.end()


class DayChart(QWidget):
    """One stacked bar per day, one colour per series (e.g. language), with a legend below."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.days: list[str] = []
        self.series: dict[str, list[int]] = {}
        self.setMinimumHeight(320)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_data(self, days: list[str], series: dict[str, list[int]]) -> None:
        self.days, self.series = days, series
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        metrics = QFontMetrics(self.font())
        line = metrics.height()
        legend_h = line + 8
        chart = QRectF(0, 0, self.width(), self.height() - legend_h - line - 4)
        totals = [sum(values[i] for values in self.series.values()) for i in range(len(self.days))]
        top = max(totals, default=1) or 1
        slot = chart.width() / max(1, len(self.days))
        text = self.palette().windowText().color()
        for i, day in enumerate(self.days):
            y = chart.bottom()
            for index, values in enumerate(self.series.values()):
                h = chart.height() * values[i] / top
                painter.fillRect(QRectF(i * slot + 4, y - h, slot - 8, h), QColor(SERIES_COLOURS[index % 10]))
                y -= h
            painter.setPen(text)
            painter.drawText(QRectF(i * slot, chart.bottom() + 2, slot, line), Qt.AlignmentFlag.AlignCenter,
                             day[-2:])  # fmt: skip
        x = 0.0
        for index, name in enumerate(self.series):
            painter.fillRect(QRectF(x, self.height() - legend_h + 4, line, line), QColor(SERIES_COLOURS[index % 10]))
            painter.setPen(text)
            painter.drawText(QRectF(x + line + 4, self.height() - legend_h, 200, legend_h),
                             Qt.AlignmentFlag.AlignVCenter, name)  # fmt: skip
            x += line + 12 + metrics.horizontalAdvance(name) + 16
        painter.end()
