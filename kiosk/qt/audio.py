"""Where speech is heard: a QAudioSink on the default output, or a silent clock when there is no device
(a kiosk without speakers still highlights the words; tests run without sound cards)."""

from __future__ import annotations

import logging

from PySide6.QtCore import QBuffer, QByteArray, QElapsedTimer, QIODevice, QObject
from PySide6.QtMultimedia import QAudioFormat, QAudioSink, QMediaDevices, QtAudio

log = logging.getLogger(__name__)


class AudioOutput(QObject):
    """Plays one clip of 16-bit mono PCM at a time; the position is what has been handed to the device."""

    def __init__(self, parent: QObject | None = None, use_device: bool = True, clock_speed: float = 1.0) -> None:
        super().__init__(parent)
        self.clock_speed = clock_speed  # the silent clock only: tests run it faster
        device = QMediaDevices.defaultAudioOutput() if use_device else None
        self.device = None if device is None or device.isNull() else device
        if use_device and self.device is None:
            log.warning("no audio output device: speech is silent, words still light up")
        self._sink: QAudioSink | None = None
        self._buffer: QBuffer | None = None
        self._clock = QElapsedTimer()
        self._paused_at: int | None = None
        self._offset = 0
        self._duration = 0

    @property
    def silent(self) -> bool:
        return self.device is None

    def play(self, samples: bytes, rate: int) -> None:
        self.stop()
        self._duration = len(samples) * 1000 // (2 * rate)
        self._offset, self._paused_at = 0, None
        if self.device is None:
            self._clock.start()
            return
        fmt = QAudioFormat()
        fmt.setSampleRate(rate)
        fmt.setChannelCount(1)
        fmt.setSampleFormat(QAudioFormat.SampleFormat.Int16)
        self._sink = QAudioSink(self.device, fmt, self)
        self._buffer = QBuffer(self)
        self._buffer.setData(QByteArray(samples))
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self._sink.start(self._buffer)

    def stop(self) -> None:
        if self._sink is not None:
            self._sink.stop()
            self._sink.deleteLater()
            self._sink = None
        if self._buffer is not None:
            self._buffer.close()
            self._buffer.deleteLater()
            self._buffer = None
        self._clock.invalidate()
        self._duration = 0

    def pause(self) -> None:
        if self._sink is not None:
            self._sink.suspend()
        elif self._clock.isValid() and self._paused_at is None:
            self._paused_at = self.position_ms()

    def resume(self) -> None:
        if self._sink is not None:
            self._sink.resume()
        elif self._paused_at is not None:
            self._offset = self._paused_at
            self._paused_at = None
            self._clock.restart()

    def position_ms(self) -> int:
        if self._sink is not None:
            return int(self._sink.processedUSecs() // 1000)
        if not self._clock.isValid():
            return 0
        if self._paused_at is not None:
            return self._paused_at
        return min(self._duration, self._offset + int(self._clock.elapsed() * self.clock_speed))

    def done(self) -> bool:
        if self._sink is not None:
            # QAudioSink.state() is a QtAudio.State: the old QAudio.State never compares equal to it
            state = self._sink.state()
            return state in (QtAudio.State.IdleState, QtAudio.State.StoppedState) and self.position_ms() > 0
        return self._clock.isValid() and self._paused_at is None and self.position_ms() >= self._duration
