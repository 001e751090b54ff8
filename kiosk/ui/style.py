"""The kiosk's style sheet, generated from the current metrics and palette."""

from __future__ import annotations

from kiosk.ui.theme import Metrics


def stylesheet(m: Metrics) -> str:
    """The first rule paints the background only on the window and on each scroll area's content: styling the
    screens and the scroll areas themselves as well made every repaint about four times slower (measured:
    4 ms against 1 ms for a full portrait screen), with the same pixels on screen."""
    p = m.palette
    radius = max(10, m.body // 2)
    return f"""
    #kiosk, QScrollArea > QWidget > QWidget {{ background: {p.background}; }}
    QLabel {{ color: {p.text}; font-size: {m.body}px; }}
    QLabel#screenTitle {{ font-size: {m.title}px; font-weight: 700; }}
    QLabel#muted {{ color: {p.muted}; font-size: {round(m.body * 0.85)}px; }}
    QLabel#sectionTitle {{ font-size: {m.large}px; font-weight: 700; }}
    QPushButton#tile, QPushButton#row, QPushButton#language {{
        background: {p.surface}; border: 2px solid {p.border}; border-radius: {radius}px; padding: 2px;
        min-height: {m.row_height}px; color: {p.text};
    }}
    QPushButton#tile {{ min-height: {round(m.row_height * 1.8)}px; }}
    QPushButton#tile:pressed, QPushButton#row:pressed, QPushButton#language:pressed {{
        background: {p.pressed}; border: 3px solid {p.accent}; padding: 1px;
    }}
    QPushButton#language[invited="true"] {{ border: 4px solid {p.accent}; padding: 0px; }}
    QLabel#invitation {{ font-size: {m.title}px; font-weight: 700; color: {p.accent}; }}
    QLabel#contribText {{ font-size: {m.large}px; }}
    QPushButton#keysToggle {{ background: {p.surface}; color: {p.text}; border: 2px solid {p.border};
                              border-radius: 8px; min-height: {m.target}px; padding: 0 16px;
                              font-size: {round(m.body * 0.85)}px; font-weight: 600; }}
    QLabel#recordSentence {{ font-size: {round(m.title * 1.25)}px; font-weight: 600; background: {p.surface};
                             border: 2px solid {p.border}; border-radius: 12px; padding: {m.gap}px; }}
    QProgressBar#levelMeter {{ min-height: {m.gap * 2}px; max-height: {m.gap * 2}px; border: 2px solid {p.border};
                               border-radius: 6px; background: {p.surface}; }}
    QProgressBar#levelMeter::chunk {{ background: {p.accent}; }}
    QToolButton#speakerMark {{
        background: {p.background}; border: 2px solid {p.border}; border-radius: {m.target // 2}px;
    }}
    QToolButton#speakerMark:pressed {{ background: {p.pressed}; border: 3px solid {p.accent}; }}
    QLabel#tileText {{ font-size: {m.large}px; font-weight: 600; }}
    QLabel#rowText {{ font-size: {m.body}px; font-weight: 600; }}
    QLabel#languageText {{ font-size: {m.title}px; font-weight: 700; }}
    #topBar {{ background: {p.accent}; }}
    #topBar QToolButton {{
        color: {p.accent_text}; background: transparent; border: 2px solid transparent; border-radius: 8px;
        min-height: {m.target}px; min-width: {m.target}px; font-size: {round(m.body * 0.85)}px; font-weight: 600;
        padding: 2px 8px;
    }}
    #topBar QToolButton:pressed {{ border: 2px solid {p.accent_text}; }}
    #topBar QToolButton:disabled {{ color: {p.accent}; }}
    #topBar QLabel {{ color: {p.accent_text}; font-size: {m.body}px; font-weight: 700; }}
    QFrame#shortBox {{ background: {p.short_bg}; border: 3px solid {p.accent}; border-radius: {radius}px; }}
    QLabel#shortText {{ font-size: {m.large}px; font-weight: 600; }}
    QLabel#shortLabel {{ font-size: {m.body}px; font-weight: 700; color: {p.accent}; }}
    QLabel#toast {{ background: {p.accent}; color: {p.accent_text}; border: 3px solid {p.accent_text};
        border-radius: {radius}px; padding: {m.gap}px; font-size: {m.body}px; font-weight: 700; }}
    QFrame#notice {{ background: {p.notice_bg}; border: 2px solid {p.border}; border-radius: {radius}px; }}
    QTextBrowser#answerBody {{ font-size: {m.body}px; color: {p.text}; background: transparent; }}
    QFrame#searchBox {{ background: {p.surface}; border: 3px solid {p.accent}; border-radius: {radius}px; }}
    QLabel#searchText {{ font-size: {m.large}px; }}
    QPushButton#key {{
        background: {p.surface}; color: {p.text}; border: 2px solid {p.border}; border-radius: 8px;
        min-height: {m.target}px; min-width: {m.target}px; font-size: {m.large}px;
    }}
    QPushButton#key:pressed {{ background: {p.pressed}; border: 3px solid {p.accent}; }}
    QPushButton#primary {{
        background: {p.accent}; color: {p.accent_text}; border-radius: {radius}px; min-height: {m.row_height}px;
        font-size: {m.large}px; font-weight: 700; padding: 0 24px;
    }}
    QPushButton#primary:pressed {{ background: {p.text}; }}
    QPushButton#toggle {{
        background: {p.surface}; color: {p.text}; border: 3px solid {p.accent}; border-radius: {radius}px;
        min-height: {m.row_height}px; font-size: {m.body}px; font-weight: 600; padding: 0 20px;
    }}
    QPushButton#toggle:checked {{ background: {p.accent}; color: {p.accent_text}; }}
    QPushButton#toggle:disabled {{ background: {p.background}; color: {p.muted}; border: 2px dashed {p.border}; }}
    QPushButton#primary:disabled {{ background: {p.surface}; color: {p.text}; border: 2px dashed {p.border}; }}
    QTextBrowser#shortText {{ font-size: {m.large}px; font-weight: 600; color: {p.text}; background: transparent; }}
    #idleOverlay, #staffOverlay, #staffView, #presenter {{ background: {p.background}; }}
    #staffOverlay QPushButton#key, #staffOverlay QPushButton#primary {{
        min-height: {round(m.row_height * 1.2)}px; min-width: {round(m.row_height * 2)}px; font-size: {m.title}px;
    }}
    QLabel#pinDots {{ font-size: {m.title}px; color: {p.accent}; }}
    #staffView QLineEdit {{ font-size: {m.body}px; min-height: {m.row_height}px; border: 2px solid {p.border};
        background: {p.surface}; color: {p.text}; padding: 0 8px; }}
    #staffView QPlainTextEdit {{ font-size: {round(m.body * 0.7)}px; background: {p.surface}; color: {p.text}; }}
    #presenterPane {{ border: 2px solid {p.border}; border-radius: {radius}px; background: {p.background}; }}
    QLabel#idleTitle {{ font-size: {round(m.title * 1.4)}px; font-weight: 700; }}
    QLabel#idleCount {{ font-size: {round(m.title * 2.5)}px; font-weight: 700; color: {p.accent}; }}
    """
