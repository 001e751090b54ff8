"""Recording one sentence from the kiosk's microphone (staff mode only, never a visitor).

Audio arrives from a QAudioSource on the GUI thread in small chunks (a few ms of work each: append, and the peak
for the level meter); when the reader stops, the take is trimmed, evened out and checked off the GUI thread
(kiosk.contrib.audio) and comes back as a signal. A microphone that is missing, unplugged, or delivers nothing
ends the take with a reason; takes already kept are on disk and are not touched.
"""

from __future__ import annotations

import logging
from array import array

from PySide6.QtCore import QIODevice, QObject, QTimer, Signal
from PySide6.QtMultimedia import QAudioDevice, QAudioFormat, QAudioSource, QMediaDevices, QtAudio

from kiosk.contrib.audio import MAX_TAKE_MS, Take, TakeError, peak, process, to_mono16
from kiosk.qt.background import run_off_thread

log = logging.getLogger(__name__)
_FORMATS = {
    QAudioFormat.SampleFormat.Int16: "int16",
    QAudioFormat.SampleFormat.Int32: "int32",
    QAudioFormat.SampleFormat.Float: "float",
    QAudioFormat.SampleFormat.UInt8: "uint8",
}
SILENT_DEVICE_MS = 2500  # no bytes at all for this long: the microphone gives nothing


class Recorder(QObject):
    """Signals:
    level(float): the loudest sample of the last chunk, 0..1 (about 20 times a second while recording).
    recorded(object): the processed take (kiosk.contrib.audio.Take), after stop().
    failed(str): why there is no take, as a key of the staff texts: no_microphone, microphone_unplugged,
        microphone_silent, microphone_broken, microphone_format, take_silent, take_too_short, take_too_long,
        take_unusable.
    busy_changed(bool): recording or processing began (True) or ended (False).
    """

    level = Signal(float)
    recorded = Signal(object)
    failed = Signal(str)
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, simulated: bool = False) -> None:
        """``simulated``: no device is opened; :meth:`feed` delivers the audio (tests)."""
        super().__init__(parent)
        self.simulated = simulated
        if not simulated:  # (asking for the devices connects to the sound server)
            self._devices = QMediaDevices(self)
            self._devices.audioInputsChanged.connect(self._on_inputs_changed)
        self._source: QAudioSource | None = None
        self._io: QIODevice | None = None
        self._device: QAudioDevice | None = None
        self._format = ("int16", 1, 16000)
        self._data = bytearray()
        self._recording = False
        self._processing = False
        self._silence = QTimer(self, singleShot=True, interval=SILENT_DEVICE_MS)
        self._silence.timeout.connect(self._on_silence_timeout)
        self._limit = QTimer(self, singleShot=True, interval=MAX_TAKE_MS)
        self._limit.timeout.connect(self.stop)
        # the source's own error, looked at while recording (its stateChanged signal carries a QAudio::State that
        # PySide cannot hand to Python)
        self._health = QTimer(self, interval=250)
        self._health.timeout.connect(self._on_health_timeout)

    # --- state ---------------------------------------------------------------------------------------
    @property
    def recording(self) -> bool:
        return self._recording

    @property
    def busy(self) -> bool:
        return self._recording or self._processing

    def microphone(self) -> str | None:
        """The name of the microphone that would record, or None when there is none."""
        if self.simulated:
            return "simulated"
        device = QMediaDevices.defaultAudioInput()
        return None if device.isNull() else device.description()

    # --- recording -----------------------------------------------------------------------------------
    def start(self) -> bool:
        """Begin a take; False (and ``failed``) when there is no microphone."""
        if self.busy:
            return False
        self._data = bytearray()
        if not self.simulated:
            device = QMediaDevices.defaultAudioInput()
            if device.isNull():
                self.failed.emit("no_microphone")
                return False
            fmt = QAudioFormat()
            fmt.setSampleRate(min(48000, max(16000, device.preferredFormat().sampleRate() or 24000)))
            fmt.setChannelCount(1)
            fmt.setSampleFormat(QAudioFormat.SampleFormat.Int16)
            if not device.isFormatSupported(fmt):
                fmt = device.preferredFormat()
            name = _FORMATS.get(fmt.sampleFormat())
            if name is None:
                self.failed.emit("microphone_format")
                return False
            self._format = (name, fmt.channelCount(), fmt.sampleRate())
            self._device = device
            self._source = QAudioSource(device, fmt, self)
            self._source.setBufferSize(fmt.bytesForDuration(200_000))
            self._io = self._source.start()
            if self._io is None or self._source.error() != QtAudio.Error.NoError:
                self._close()
                self.failed.emit("microphone_broken")
                return False
            self._io.readyRead.connect(self._on_ready_read)
            self._silence.start()
            self._health.start()
        self._recording = True
        self._limit.start()
        self.busy_changed.emit(True)
        return True

    def feed(self, raw: bytes) -> None:
        """Audio as the device would deliver it (``simulated`` recorders; 16-bit mono at 16 kHz by default)."""
        if self._recording:
            self._take_in(raw)

    def set_simulated_format(self, sample_format: str, channels: int, rate: int) -> None:
        self._format = (sample_format, channels, rate)

    def _on_ready_read(self) -> None:
        if self._io is None:
            return
        raw = bytes(self._io.readAll().data())
        if raw:
            self._silence.start()
            self._take_in(raw)

    def _take_in(self, raw: bytes) -> None:
        self._data += raw
        sample_format, channels, _rate = self._format
        if sample_format == "int16" and channels == 1:
            chunk = array("h")
            chunk.frombytes(raw[: len(raw) - len(raw) % 2])
        else:
            chunk = to_mono16(raw, channels, sample_format)
        self.level.emit(peak(chunk))

    def stop(self) -> None:
        """End the take: it is processed off the GUI thread, then ``recorded`` or ``failed``."""
        if not self._recording:
            return
        if self._io is not None:
            rest = bytes(self._io.readAll().data())
            if rest:
                self._data += rest
        self._close()
        self._recording, self._processing = False, True
        raw, (sample_format, channels, rate) = bytes(self._data), self._format
        self._data = bytearray()

        def work() -> Take:
            return process(to_mono16(raw, channels, sample_format), rate)

        run_off_thread(work, self._on_processed, self._on_not_processed)

    def cancel(self) -> None:
        """Drop the take being recorded (nothing is kept)."""
        was = self._recording
        self._close()
        self._recording = False
        self._data = bytearray()
        if was:
            self.busy_changed.emit(self.busy)

    def _close(self) -> None:
        self._silence.stop()
        self._limit.stop()
        self._health.stop()
        if self._source is not None:
            self._source.stop()
            self._source.deleteLater()
        self._source, self._io, self._device = None, None, None

    def _on_processed(self, take: Take) -> None:
        self._processing = False
        self.busy_changed.emit(False)
        self.recorded.emit(take)

    def _on_not_processed(self, exc: Exception) -> None:
        self._processing = False
        self.busy_changed.emit(False)
        self.failed.emit(exc.key if isinstance(exc, TakeError) else "take_unusable")

    # --- a microphone that goes away ----------------------------------------------------------------
    def _lost(self, reason: str) -> None:
        if not self._recording:
            return
        log.warning("recording stopped: %s", reason)
        self.cancel()
        self.failed.emit(reason)

    def _on_inputs_changed(self) -> None:
        device = self._device
        if device is not None and all(d.id() != device.id() for d in QMediaDevices.audioInputs()):
            self._lost("microphone_unplugged")

    def _on_health_timeout(self) -> None:
        source = self._source
        if source is None or source.error() == QtAudio.Error.NoError:
            return
        self._lost("microphone_unplugged" if source.error() == QtAudio.Error.OpenError else "microphone_broken")

    def _on_silence_timeout(self) -> None:
        self._lost("microphone_silent")
