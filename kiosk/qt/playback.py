"""Playing an utterance through QtMultimedia (for the command line; the kiosk's player comes with the
speech service)."""

from __future__ import annotations

from kiosk.speech.engine import Utterance


def play_blocking(utterance: Utterance) -> bool:
    """Play and wait until the end; False when there is no audio output device."""
    import sys

    from PySide6.QtCore import QBuffer, QByteArray, QCoreApplication, QEventLoop, QIODevice, QTimer
    from PySide6.QtMultimedia import QAudioFormat, QAudioSink, QMediaDevices, QtAudio

    app = QCoreApplication.instance() or QCoreApplication(sys.argv[:1])
    device = QMediaDevices.defaultAudioOutput()
    if device.isNull():
        return False
    fmt = QAudioFormat()
    fmt.setSampleRate(utterance.sample_rate)
    fmt.setChannelCount(1)
    fmt.setSampleFormat(QAudioFormat.SampleFormat.Int16)
    sink = QAudioSink(device, fmt)
    buffer = QBuffer()
    buffer.setData(QByteArray(utterance.samples))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    loop = QEventLoop()
    # Poll the state: PySide cannot hand QAudioSink.stateChanged's argument (the deprecated QAudio::State) to Python.
    poll = QTimer(interval=20)
    poll.timeout.connect(lambda: loop.quit() if sink.state() != QtAudio.State.ActiveState else None)
    QTimer.singleShot(utterance.duration_ms + 3000, loop.quit)  # never hang on a broken device
    sink.start(buffer)
    poll.start()
    loop.exec()
    sink.stop()
    app.processEvents()
    return True
