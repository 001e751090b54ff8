"""Sizes and colours: touch targets from the screen's physical DPI, text size steps, high contrast."""

from __future__ import annotations

from dataclasses import dataclass

MM_PER_INCH = 25.4
MIN_TARGET_MM = 10.0
FALLBACK_DPI = 96.0
MIN_TARGET_PX = 48
TEXT_STEPS = (1.0, 1.25, 1.5)


def mm_to_px(mm: float, dpi: float) -> int:
    """Physical millimetres to pixels; an unknown or absurd DPI is taken as 96."""
    if not 50 <= dpi <= 600:
        dpi = FALLBACK_DPI
    return round(mm * dpi / MM_PER_INCH)


@dataclass(frozen=True)
class Palette:
    background: str
    surface: str
    text: str
    muted: str
    accent: str
    accent_text: str
    pressed: str
    short_bg: str
    notice_bg: str
    border: str
    highlight: str


NORMAL = Palette(
    background="#F4F1EA", surface="#FFFFFF", text="#1A1A1A", muted="#3D3D3D", accent="#0B4F6C",
    accent_text="#FFFFFF", pressed="#D7E7EE", short_bg="#FFF3C4", notice_bg="#FBE3D6", border="#8A8A8A",
    highlight="#FFD23F",
)  # fmt: skip
HIGH_CONTRAST = Palette(
    background="#000000", surface="#000000", text="#FFFFFF", muted="#FFFFFF", accent="#FFFF00",
    accent_text="#000000", pressed="#333300", short_bg="#000000", notice_bg="#000000", border="#FFFFFF",
    highlight="#00FFFF",
)  # fmt: skip


def relative_luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(a: str, b: str) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@dataclass(frozen=True)
class Metrics:
    """Pixel sizes for one screen, text step and palette."""

    target: int  # minimum touch target
    body: int  # body text pixel size
    palette: Palette

    @classmethod
    def for_screen(cls, width: int, height: int, dpi: float, text_step: int, high_contrast: bool) -> Metrics:
        target = max(MIN_TARGET_PX, mm_to_px(MIN_TARGET_MM, dpi))
        base = max(18, round(min(width, height) / 40))
        body = round(base * TEXT_STEPS[text_step % len(TEXT_STEPS)])
        return cls(target, body, HIGH_CONTRAST if high_contrast else NORMAL)

    @property
    def large(self) -> int:
        return round(self.body * 1.3)

    @property
    def title(self) -> int:
        return round(self.body * 1.5)

    @property
    def icon(self) -> int:
        return max(self.target, round(self.body * 2.6))

    @property
    def bar_icon(self) -> int:
        return max(round(self.target * 0.6), round(self.body * 1.3))

    @property
    def row_height(self) -> int:
        return max(self.target + self.target // 3, round(self.body * 3.2))

    @property
    def gap(self) -> int:
        return max(8, self.body // 2)
