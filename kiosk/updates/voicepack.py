"""Voice packs: a neural voice signed, verified and installed exactly as a guide bundle is (no Qt).

A pack is a folder::

    manifest.json        product "wegwijzer-voice", channel, times, min_app_version, the voice (name, version,
                         engine, language, licences, parent) and every file's name, length and SHA-256
    manifest.sig         Ed25519 signature over the exact bytes of manifest.json (the guide's trust keys)
    NAME.onnx            the Piper model, with its alignment output (added when the pack is made)
    NAME.onnx.json       its config
    MODEL_CARD           its model card: licence of the training data, the voice it was fine-tuned from

Install order, as for guides (:mod:`kiosk.updates.install`): size-capped manifest -> signature (test keys only
where allowed) -> strict manifest -> product/channel -> app version -> version higher than the highest ever
installed for this voice -> issue time not in the future -> not expired -> room on the disk -> copy every file
while hashing, stopping at its declared length -> the copy's checks: config, language, model card licence, a
trial synthesis in a separate process with a deadline (a corrupt model, one that crashes or hangs, one without
word timings is refused) -> rename into ``packs/`` -> replace ``installed.json`` atomically (the commit point).
The previous version of the voice is kept until the next install; everything else of the voice is removed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import multiprocessing
import os
import re
import shutil
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import filelock

from kiosk import __version__, paths
from kiosk.speech.engine import SpeechError
from kiosk.speech.installed import PACKS, installed_path, read_installed
from kiosk.speech.modelcard import CARD, MAX_CARD_BYTES, CardRefused, judge_card
from kiosk.speech.piper import read_voice_folder, write_with_alignments
from kiosk.updates.bundle import (
    FORMAT,
    MANIFEST,
    SIGNATURE,
    BundleError,
    Keys,
    TrustedKey,
    digest_capped,
    field_app_version,
    field_int,
    field_text,
    field_time,
    load_private_key,
    read_signed_bytes,
    strict_json,
)
from kiosk.updates.install import (
    FUTURE_TOLERANCE,
    SPARE_BYTES,
    Attempt,
    copy_declared,
    redact,
    version_tuple,
    write_atomically,
)
from kiosk.updates.safefs import SafeDir, UnsafeFileError

PRODUCT = "wegwijzer-voice"
ENGINE = "piper"
STATE = "state.json"
LOCK = ".install.lock"
INCOMING = ".incoming-"
MAX_MODEL_BYTES = 400 * 1024 * 1024  # a "high" Piper voice is about 115 MB
MAX_SMALL_BYTES = 1024 * 1024  # config and card
TRIAL_TIMEOUT_S = 90.0
KEEP_ATTEMPTS = 20
_NAME = re.compile(r"^[A-Za-z]{2,3}(?:_[A-Za-z]{2})?-[A-Za-z0-9_]{1,40}-(?:x_low|low|medium|high)$")


@dataclass(frozen=True)
class PackFile:
    name: str
    length: int
    sha256: str


@dataclass(frozen=True)
class VoiceManifest:
    format: int
    product: str
    channel: str
    name: str  # the Piper voice name, e.g. 'nl_BE-nathalie-medium'
    version: int  # the pack's own version: a new pack of the same voice must be higher
    engine: str
    language: str  # the config's language, as a tag: 'nl-be'
    licences: tuple[str, ...]
    parent: str
    issued: dt.datetime
    expires: dt.datetime
    min_app_version: str
    files: tuple[PackFile, ...]
    signed_by: TrustedKey | None = None

    @property
    def label(self) -> str:
        return f"{self.name} v{self.version}"


# --- making a pack (editors) -----------------------------------------------------------------------------
def create_pack(voice_folder: Path, key: Path, out: Path, version: int = 1, channel: str = "stable",
                valid_days: int = 3650, now: dt.datetime | None = None) -> VoiceManifest:  # fmt: skip
    """Sign the Piper voice in ``voice_folder`` (model, config, MODEL_CARD) into the new pack folder ``out``.

    Refused (BundleError) when the card does not allow it, the model cannot speak, or its word timings cannot be
    added; the model is patched with its alignment output here, so kiosks need no ``onnx`` package."""
    private = load_private_key(key)
    if not 1 <= version <= 2**31 - 1:
        raise BundleError(f"a pack version is a whole number from 1, not {version}")
    try:
        voice = read_voice_folder(voice_folder)
    except SpeechError as exc:
        raise BundleError(str(exc)) from exc
    if not _NAME.match(voice.name):
        raise BundleError(f"{voice.name!r} is not a Piper voice name like nl_BE-nathalie-medium")
    card_path = voice_folder / CARD
    if not card_path.is_file():
        raise BundleError(f"{voice_folder}: no {CARD}; a voice's licence must be known before it is shipped")
    card = card_path.read_bytes()[:MAX_CARD_BYTES].decode("utf-8", "replace")
    try:
        verdict = judge_card(card)
    except CardRefused as exc:
        raise BundleError(f"{voice.name}: {exc}") from exc
    _check_language(voice.name, voice.language, voice.espeak_voice)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BundleError(f"{out} is not an empty folder")
    tmp = out.with_name(out.name + ".part")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        model = tmp / voice.model.name
        _with_alignments(voice.model, model)
        shutil.copyfile(voice.config, tmp / voice.config.name)
        (tmp / CARD).write_text(card, encoding="utf-8")
        trial_synthesis(tmp)
        files = []
        for path in (model, tmp / voice.config.name, tmp / CARD):
            with path.open("rb") as f:
                length, sha = digest_capped(f, MAX_MODEL_BYTES)
            if length > MAX_MODEL_BYTES:
                raise BundleError(f"{path.name} is larger than a kiosk takes ({MAX_MODEL_BYTES} bytes)")
            files.append({"name": path.name, "length": length, "sha256": sha})
        issued = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
        manifest = {
            "format": FORMAT, "product": PRODUCT, "channel": channel, "issued": issued.isoformat(),
            "expires": (issued + dt.timedelta(days=valid_days)).isoformat(), "min_app_version": __version__,
            "voice": {"name": voice.name, "version": version, "engine": ENGINE, "language": voice.language,
                      "licences": list(verdict.licences), "parent": verdict.parent},
            "files": files,
        }  # fmt: skip
        data = json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8") + b"\n"
        (tmp / MANIFEST).write_bytes(data)
        (tmp / SIGNATURE).write_bytes(private.sign(data))
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if out.exists():
        out.rmdir()
    tmp.rename(out)
    return parse_voice_manifest(data)


def _with_alignments(model: Path, target: Path) -> None:
    """Copy ``model`` to ``target`` with piper's alignment output added (unless it has it already)."""
    try:
        write_with_alignments(model, target)
    except ImportError as exc:
        need = "making a voice pack needs the neural extra (pip install 'wegwijzer[neural]')"
        raise BundleError(f"{need}: {exc}") from exc
    except Exception as exc:  # onnx raises its own types for a file that is not a model
        raise BundleError(f"{model}: not a usable ONNX model ({exc})") from exc


def _check_language(name: str, language: str, espeak_voice: str) -> None:
    """The voice's name, its config's language and the espeak voice it phonemises with must agree."""
    named = name.split("-")[0].replace("_", "-").lower()
    if named != language:
        raise BundleError(f"the voice is called {name} but its config says its language is {language!r}")
    base = language.split("-")[0]
    espeak_base = espeak_voice.lower().split("-")[0]
    if espeak_base != base and (base, espeak_base) not in {("fa", "fa"), ("no", "nb"), ("nb", "no")}:
        raise BundleError(f"the voice {name} ({language}) phonemises with espeak voice {espeak_voice!r}, "
                          f"another language")  # fmt: skip


# --- reading and judging a pack --------------------------------------------------------------------------
def parse_voice_manifest(data: bytes) -> VoiceManifest:
    """A pack's manifest, strictly typed (signed data is still checked: a key can sign a mistake)."""
    raw = strict_json(data)
    if not isinstance(raw, dict) or not isinstance(raw.get("voice"), dict) or not isinstance(raw.get("files"), list):
        raise BundleError("the manifest is not a voice pack's (no voice or no files)")
    voice = raw["voice"]

    name = field_text(voice.get("name"), "voice name", 60)
    if not _NAME.match(name):
        raise BundleError(f"the voice name {name!r} is not like nl_BE-nathalie-medium")
    files: list[PackFile] = []
    for item in raw["files"][:4]:
        if not isinstance(item, dict):
            raise BundleError("the manifest's file list has the wrong shape")
        file_name = field_text(item.get("name"), "file name", 100)
        if file_name not in {f"{name}.onnx", f"{name}.onnx.json", CARD}:
            raise BundleError(f"the pack lists {file_name!r}, which is not {name}.onnx, its config or {CARD}")
        cap = MAX_MODEL_BYTES if file_name.endswith(".onnx") else MAX_SMALL_BYTES
        sha = field_text(item.get("sha256"), "file SHA-256")
        if not re.fullmatch(r"[0-9a-f]{64}", sha):
            raise BundleError(f"the manifest's SHA-256 of {file_name} is malformed")
        files.append(PackFile(file_name, field_int(item.get("length"), f"length of {file_name}", 1, cap), sha))
    if len(raw["files"]) != 3 or len({f.name for f in files}) != 3:
        raise BundleError(f"a voice pack holds exactly {name}.onnx, {name}.onnx.json and {CARD}")
    licences = voice.get("licences")
    if not isinstance(licences, list) or not licences or not all(isinstance(x, str) for x in licences):
        raise BundleError("the manifest names no licence for the voice")
    version_text = field_app_version(raw.get("min_app_version"))
    issued, expires = field_time(raw.get("issued"), "issue time"), field_time(raw.get("expires"), "expiry time")
    if expires <= issued:
        raise BundleError(f"the pack expires ({expires.isoformat()}) before it was issued ({issued.isoformat()})")
    parent = voice.get("parent", "")
    return VoiceManifest(
        format=field_int(raw.get("format"), "format", 1, FORMAT),
        product=field_text(raw.get("product"), "product"),
        channel=field_text(raw.get("channel"), "channel"),
        name=name,
        version=field_int(voice.get("version"), "voice version", 1, 2**31 - 1),
        engine=field_text(voice.get("engine"), "engine", 20),
        language=field_text(voice.get("language"), "language", 20).lower(),
        licences=tuple(x[:40] for x in licences[:4]),
        parent=parent[:200] if isinstance(parent, str) else "",
        issued=issued,
        expires=expires,
        min_app_version=version_text,
        files=tuple(files),
    )


def read_signed_pack(folder: Path | SafeDir, trusted: Keys, allow_test_keys: bool = False) -> VoiceManifest:
    data, key = read_signed_bytes(folder, trusted, allow_test_keys)
    return replace(parse_voice_manifest(data), signed_by=key)


def verify_pack(folder: Path | SafeDir, trusted: Keys, allow_test_keys: bool = False) -> VoiceManifest:
    """Check ``folder``'s signature and every file's length and SHA-256; return its manifest or raise."""
    where, opened = (folder, False) if isinstance(folder, SafeDir) else (_open_dir(folder), True)
    try:
        manifest = read_signed_pack(where, trusted, allow_test_keys)
        for item in manifest.files:
            try:
                with where.open_file(item.name) as f:
                    length, sha = digest_capped(f, item.length)
            except UnsafeFileError as exc:
                raise BundleError(f"{item.name} cannot be read: {exc.strerror or exc}") from None
            if length != item.length or sha != item.sha256:
                raise BundleError(f"{item.name} does not match the manifest ({length} bytes, declared {item.length})")
    finally:
        if opened:
            where.close()
    return manifest


def _open_dir(folder: Path) -> SafeDir:
    try:
        return SafeDir.open(folder)
    except UnsafeFileError as exc:
        raise BundleError(f"the pack folder cannot be read: {exc.strerror or exc}") from None


# --- state ------------------------------------------------------------------------------------------------
@dataclass
class VoiceState:
    highest: dict[str, int]
    attempts: list[Attempt]


def _state_path() -> Path:
    return paths.voices_dir() / STATE


def load_state() -> VoiceState:
    state = VoiceState({}, [])
    try:
        raw = json.loads(_state_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raw = {}
    raw = raw if isinstance(raw, dict) else {}
    highest = raw.get("highest")
    for name, version in (highest if isinstance(highest, dict) else {}).items():
        if isinstance(version, int) and not isinstance(version, bool):
            state.highest[str(name)] = version
    fields = set(Attempt.__dataclass_fields__)
    for item in raw.get("attempts", []) if isinstance(raw.get("attempts"), list) else []:
        with contextlib.suppress(TypeError, AttributeError):
            state.attempts.append(Attempt(**{k: v for k, v in item.items() if k in fields}))
    for name, record in read_installed().items():  # the commit point wins over a state file that lags
        version = record.get("version")
        if isinstance(version, int):
            state.highest[name] = max(state.highest.get(name, 0), version)
    return state


def _save_state(state: VoiceState) -> None:
    data = {"highest": state.highest, "attempts": [asdict(a) for a in state.attempts][-KEEP_ATTEMPTS:]}
    write_atomically(_state_path(), json.dumps(data, indent=2).encode("utf-8"))


def _record(state: VoiceState, source: str, m: VoiceManifest | None, result: str, reason: str) -> None:
    when = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    what = (f"voice {m.label}" if m else "voice pack") + (": " if reason else "")
    key = m.signed_by.label if m and m.signed_by else ""
    attempt = Attempt(when, redact(source), m.version if m else None, result, (what + redact(reason))[:500], key)
    state.attempts = [*state.attempts, attempt][-KEEP_ATTEMPTS:]
    with contextlib.suppress(OSError, BundleError):
        _save_state(state)


def record_attempt(source: str, result: str, reason: str) -> None:
    """Note an attempt that never reached the install (a download that failed, a refused manifest)."""
    with contextlib.suppress(BundleError, OSError), _lock():
        _record(load_state(), source, None, result, reason)


@contextlib.contextmanager
def _lock() -> Any:
    paths.voices_dir().mkdir(parents=True, exist_ok=True)
    try:
        with filelock.FileLock(paths.voices_dir() / LOCK, timeout=0):
            yield
    except filelock.Timeout:
        raise BundleError("another voice install is running") from None


def judge_pack(m: VoiceManifest, channel: str = "stable", now: dt.datetime | None = None,
               state: VoiceState | None = None) -> str | None:  # fmt: skip
    """"same" when this version of the voice is installed, None when it may be installed; raises BundleError."""
    state = state or load_state()
    now = now or dt.datetime.now(dt.UTC)
    if m.product != PRODUCT or m.channel != channel:
        raise BundleError(f"the pack is for {m.product}/{m.channel}, this kiosk takes {PRODUCT}/{channel}")
    if m.engine != ENGINE:
        raise BundleError(f"the pack is for the {m.engine!r} engine; this kiosk runs {ENGINE} voices")
    if version_tuple(m.min_app_version) > version_tuple(__version__):
        raise BundleError(f"the voice needs Wegwijzer {m.min_app_version} or newer; this kiosk runs {__version__}")
    highest = state.highest.get(m.name, 0)
    installed = read_installed().get(m.name, {})
    if m.version == highest and installed.get("version") == m.version:
        return "same"
    if m.version <= highest:
        raise BundleError(f"version {m.version} of {m.name} is not newer than {highest}: never go back")
    if m.issued > now + FUTURE_TOLERANCE:
        raise BundleError(f"the pack was issued on {m.issued.isoformat()}, later than this kiosk's clock "
                          f"({now.replace(microsecond=0).isoformat()}): check the signer's clock")  # fmt: skip
    if m.expires <= now:
        raise BundleError(f"the pack expired on {m.expires.isoformat()}")
    return None


# --- installing ---------------------------------------------------------------------------------------------
def install_pack(folder: Path | SafeDir, trusted: Keys, channel: str = "stable", now: dt.datetime | None = None,
                 source: str | None = None, allow_test_keys: bool = False,
                 ) -> tuple[str, VoiceManifest | None]:  # fmt: skip
    """Install the voice pack in ``folder``; return ("installed" | "same", manifest). Raises BundleError."""
    label = source or str(folder.path if isinstance(folder, SafeDir) else folder)
    with _lock():
        _clean_leftovers()
        state = load_state()
        manifest: VoiceManifest | None = None
        try:
            manifest = read_signed_pack(folder, trusted, allow_test_keys)
            if judge_pack(manifest, channel, now, state) == "same":
                outcome = "same"
            else:
                _install(folder, manifest)
                state.highest[manifest.name] = manifest.version
                outcome = "installed"
        except BundleError as exc:
            _record(state, label, manifest, "refused", str(exc))
            raise
        except OSError as exc:
            reason = f"the install failed and nothing changed: {exc.strerror or exc}"
            _record(state, label, manifest, "failed", reason)
            raise BundleError(reason) from exc
        _record(state, label, manifest, outcome, "")
        return outcome, manifest


def _clean_leftovers() -> None:
    packs = paths.voices_dir() / PACKS
    if packs.is_dir():
        for path in packs.iterdir():
            if path.name.startswith(INCOMING):
                shutil.rmtree(path, ignore_errors=True)


def _install(folder: Path | SafeDir, m: VoiceManifest) -> None:
    packs = paths.voices_dir() / PACKS
    packs.mkdir(parents=True, exist_ok=True)
    need = sum(f.length for f in m.files) + SPARE_BYTES
    with contextlib.suppress(OSError):
        free = shutil.disk_usage(packs).free
        if free < need:
            raise BundleError(f"the disk is too full: the voice needs {need // 1_000_000} MB with room to spare, "
                              f"{free // 1_000_000} MB are free")  # fmt: skip
    model_sha = next(f.sha256 for f in m.files if f.name.endswith(".onnx"))
    target = packs / f"{m.name}-v{m.version}-{model_sha[:12]}"
    incoming = packs / f"{INCOMING}{os.getpid()}"
    shutil.rmtree(incoming, ignore_errors=True)
    incoming.mkdir()
    try:
        where, opened = (folder, False) if isinstance(folder, SafeDir) else (_open_dir(folder), True)
        try:
            for item in m.files:
                _copy_hashed(where, item, incoming / item.name)
        finally:
            if opened:
                where.close()
        _check_copy(incoming, m)
        shutil.rmtree(target, ignore_errors=True)
        os.replace(incoming, target)
    finally:
        shutil.rmtree(incoming, ignore_errors=True)
    records = read_installed()
    previous = records.get(m.name, {}).get("folder")
    records[m.name] = {
        "folder": target.name, "version": m.version, "language": m.language, "licences": list(m.licences),
        "parent": m.parent, "signed_by": m.signed_by.label if m.signed_by else "",
        "installed": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
    }  # fmt: skip
    try:
        write_atomically(installed_path(), json.dumps({"packs": records}, indent=2).encode("utf-8"))  # commit
    except OSError:
        if read_installed().get(m.name, {}).get("folder") != target.name:
            shutil.rmtree(target, ignore_errors=True)
        raise
    keep = {target.name, str(previous or "")}
    for path in packs.iterdir():
        if path.name.startswith(f"{m.name}-v") and path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)


def _copy_hashed(where: SafeDir, item: PackFile, target: Path) -> None:
    try:
        src = where.open_file(item.name)
    except UnsafeFileError as exc:
        raise BundleError(f"{item.name} cannot be read: {exc.strerror or exc}") from None
    with src, target.open("xb") as dst:
        copy_declared(src, dst, item.length, item.sha256, item.name)


def _check_copy(folder: Path, m: VoiceManifest) -> None:
    """What the signer promised, checked on the kiosk's own copy before it is used."""
    try:
        voice = read_voice_folder(folder)
    except SpeechError as exc:
        raise BundleError(str(exc)) from exc
    if voice.name != m.name or voice.language != m.language:
        raise BundleError(f"the pack says {m.name} ({m.language}) but its model is {voice.name} ({voice.language})")
    _check_language(voice.name, voice.language, voice.espeak_voice)
    try:
        judge_card((folder / CARD).read_bytes()[:MAX_CARD_BYTES].decode("utf-8", "replace"))
    except CardRefused as exc:
        raise BundleError(f"{m.name}: {exc}") from exc
    trial_synthesis(folder)


# --- the trial: a model is only trusted once it has spoken, in a process of its own ---------------------
def _trial_child(folder: str, data_dir: str, conn: Any) -> None:  # pragma: no cover - runs in the child
    try:
        paths.set_data_dir(Path(data_dir))
        from kiosk.speech.piper import PiperEngine

        engine = PiperEngine([Path(folder)], patch=False)
        if not engine.voices:
            conn.send(("error", "; ".join(engine.problems) or "no voice in the folder"))
            return
        voice = next(iter(engine.voices))
        utterance = engine.synthesize("1, 2, 3.", voice)
        conn.send(("ok", len(utterance.samples), len(utterance.words)))
    except BaseException as exc:  # everything is a reason to refuse the pack
        conn.send(("error", f"{type(exc).__name__}: {exc}"))


def trial_synthesis(folder: Path, timeout_s: float = TRIAL_TIMEOUT_S) -> None:
    """Load the voice in ``folder`` and speak a few words in a child process; BundleError if it cannot, crashes,
    hangs past ``timeout_s`` or gives no word timings."""
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_trial_child, args=(str(folder), str(paths.data_dir()), send), daemon=True)
    child.start()
    send.close()
    try:
        if not receive.poll(timeout_s):
            child.kill()
            raise BundleError(f"the voice did not speak within {timeout_s:.0f} s (its model hangs or is far too slow)")
        try:
            reply = receive.recv()
        except EOFError:
            child.join(5)
            raise BundleError(f"the voice crashed its trial (exit code {child.exitcode})") from None
    finally:
        receive.close()
        child.join(5)
        if child.is_alive():
            child.kill()
    if reply[0] != "ok":
        raise BundleError(f"the voice cannot speak: {str(reply[1])[:300]}")
    if reply[1] <= 0:
        raise BundleError("the voice spoke no audio")
    if reply[2] <= 0:
        raise BundleError("the voice gives no word timings (its model lacks the alignment output)")


# --- what is installed -------------------------------------------------------------------------------------
def status() -> dict[str, object]:
    """Installed voices and the last attempts, for ``voices list``, ``update status`` and the staff view."""
    state = load_state()
    return {"installed": read_installed(), "highest": state.highest, "attempts": [asdict(a) for a in state.attempts]}
