"""The ``wegwijzer`` command line (click).

Commands for editors (``content check|build|coverage|stamp``, ``search``) and for running the kiosk.

Every command answers bad input with a one-line reason and exit status 1 (refused or failed) or 2 (a usage error:
click's own, or a path that cannot be right), never with a traceback; an unforeseen exception still ends in one
line and status 1 (:class:`_Wegwijzer`). Commands that write into the data directory make it private first
(:func:`_private_data`). Commands other than ``run`` silence Qt's multimedia logging (:func:`_quiet_qt_multimedia`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from kiosk import __version__, paths

DEBUG_ENV = "WEGWIJZER_DEBUG"
QT_MULTIMEDIA_QUIET = "qt.multimedia*=false"

_F = TypeVar("_F", bound=Callable[..., Any])


class _Path(click.Path):
    """click's Path that also refuses an empty string (which would mean the current folder)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not value.strip():
            self.fail("an empty path", param, ctx)
        return super().convert(value, param, ctx)


_PATH = _Path(path_type=Path)
_FOLDER = _Path(path_type=Path, file_okay=False)  # a file in its place is refused
_EXISTING_FOLDER = _Path(path_type=Path, exists=True, file_okay=False)
_EXISTING_FILE = _Path(path_type=Path, exists=True, dir_okay=False)
_NEW_FILE = _Path(path_type=Path, dir_okay=False)  # a folder in its place is refused


class _Wegwijzer(click.Group):
    """The top-level group; as the console script it turns an unforeseen exception into one line and status 1."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        if not kwargs.get("standalone_mode", True):
            return super().main(*args, **kwargs)
        try:
            return super().main(*args, **kwargs)
        except Exception as exc:  # click has handled its own; what is left is a defect or an unforeseen failure
            _report_unexpected(exc)
            sys.exit(1)


def _report_unexpected(exc: Exception) -> None:
    """One line on standard error; the traceback goes to the kiosk's log file if one is open (``run``), else to
    standard error only with ``WEGWIJZER_DEBUG=1``."""
    import logging
    import traceback

    files = [h for h in logging.getLogger().handlers
             if isinstance(h, logging.FileHandler) and getattr(h, "_wegwijzer", False)]  # fmt: skip
    if files:
        record = logging.LogRecord("kiosk.cli", logging.ERROR, __file__, 0, "unexpected error", None,
                                   (type(exc), exc, exc.__traceback__))  # fmt: skip
        for handler in files:
            handler.handle(record)
        details = f"details in {files[0].baseFilename}"
    elif os.environ.get(DEBUG_ENV):
        traceback.print_exception(exc)
        details = "details above"
    else:
        details = f"set {DEBUG_ENV}=1 for the details"
    reason = " ".join(str(exc).split())[:300] or "(no message)"
    click.echo(f"wegwijzer: unexpected error: {type(exc).__name__}: {reason} ({details})", err=True)


def _self_test(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        from kiosk.selftest import run

        ctx.exit(run())


def _fail(message: str) -> NoReturn:
    """Say why on standard error and exit with status 1 (a refused or failed command)."""
    click.echo(message, err=True)
    sys.exit(1)


def _quiet_qt_multimedia(ctx: click.Context) -> None:
    """Keep Qt's multimedia chatter ("Couldn't load pipewire-0.3 library", "Using Qt multimedia with FFmpeg ...")
    out of the command's output, before Qt is imported; undone when the command ends.

    A rule the user set wins: ``QT_LOGGING_RULES`` is read left to right, so ours goes first; with
    ``QT_LOGGING_CONF`` or a user ``QtProject/qtlogging.ini`` (which the environment would override) nothing is
    changed, nor with ``WEGWIJZER_DEBUG=1``. ``run`` keeps the chatter: it tells why a kiosk stays silent.
    """
    config_home = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    if (os.environ.get(DEBUG_ENV) or os.environ.get("QT_LOGGING_CONF")
            or (config_home / "QtProject" / "qtlogging.ini").exists()):  # fmt: skip
        return
    previous = os.environ.get("QT_LOGGING_RULES")
    os.environ["QT_LOGGING_RULES"] = f"{QT_MULTIMEDIA_QUIET};{previous}" if previous else QT_MULTIMEDIA_QUIET

    def restore() -> None:
        if previous is None:
            os.environ.pop("QT_LOGGING_RULES", None)
        else:
            os.environ["QT_LOGGING_RULES"] = previous

    ctx.call_on_close(restore)


def _private_data(command: _F) -> _F:
    """For commands that write into the data directory: create or repair it as private to this user (0700), and
    let this process create files for its owner only (umask 077, back to the old one when the command ends).

    Not for ``content build`` (the packaged kiosk of another user reads ``assets/guide.sqlite``), ``bundle create``
    or ``keys generate`` (they choose their files' modes themselves)."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        previous = os.umask(paths.PRIVATE_UMASK)
        ctx.call_on_close(lambda: os.umask(previous))
        try:
            paths.ensure_private_data_dir()
        except paths.DataDirError as exc:
            raise click.UsageError(f"{exc} (another folder: --data-dir or ${paths.DATA_DIR_ENV})", ctx) from exc
        return command(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _parent_must_exist(path: Path, option: str) -> None:
    """Refuse a new file whose folder does not exist (rather than create folders anywhere)."""
    parent = path.absolute().parent
    if not parent.is_dir():
        raise click.BadParameter(f"the folder {parent} does not exist", param_hint=option)


@click.group(cls=_Wegwijzer, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="wegwijzer")
@click.option("--self-test", is_flag=True, is_eager=True, expose_value=False, callback=_self_test,
              help="Check this installation (guide, screen, speech, signing); exit 0 or the failed step.")  # fmt: skip
@click.option(
    "--data-dir",
    type=_FOLDER,
    envvar=paths.DATA_DIR_ENV,
    help=f"Folder for installed guides, settings, logs and usage figures (default: the platform's user data "
    f"folder; also ${paths.DATA_DIR_ENV}).",
)
@click.pass_context
def main(ctx: click.Context, data_dir: Path | None) -> None:
    """Wegwijzer: an offline kiosk that answers questions about volunteering in Belgium."""
    paths.set_data_dir(data_dir)
    if ctx.invoked_subcommand != "run":
        _quiet_qt_multimedia(ctx)


# --- the kiosk -----------------------------------------------------------------------------------
MIN_SIDE, MAX_SIDE = 200, 16384  # --size: a window the screens can be laid out in, and Qt can make


def _check_address(address: str, option: str) -> None:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(address)
        host, _port = parts.hostname, parts.port
    except ValueError as exc:
        raise click.BadParameter(f"not a usable address ({exc})", param_hint=option) from None
    if parts.scheme not in ("http", "https") or not host:
        raise click.BadParameter("use an http:// or https:// address with a host name", param_hint=option)


@main.command("run")
@click.option(
    "--windowed", is_flag=True, help="Run in a normal window (development); default is full-screen and locked."
)
@click.option("--size", default="1920x1080", show_default=True, help="Window size with --windowed, e.g. 1080x1920.")
@click.option("--idle-timeout", type=click.IntRange(5, 3600), default=None,
              help="Seconds without touch before 'Are you still there?' (default: idle_timeout_s).")  # fmt: skip
@click.option("--trust", type=_EXISTING_FILE, multiple=True,
              help="A public key whose bundles may be installed (default: the keys built into the kiosk).")  # fmt: skip
@click.option("--channel", default=None, help="The update channel this kiosk takes (default: the setting).")
@click.option("--sync-url", default=None, metavar="URL",
              help="Address of the published bundle folder to poll for updates (default: the setting sync_url; "
                   "none: USB sticks only).")  # fmt: skip
@click.option("--sync-interval", type=click.IntRange(1, 7 * 24 * 60), default=None,
              help="Minutes between polls of the sync address (default: the setting sync_interval_min).")  # fmt: skip
@_private_data
def run_command(windowed: bool, size: str, idle_timeout: int | None, trust: tuple[Path, ...], channel: str | None,
                sync_url: str | None, sync_interval: int | None) -> None:  # fmt: skip
    """Start the kiosk on the installed guide (or the bundled one). Settings: `wegwijzer settings show`."""
    from kiosk.app import RunOptions, run
    from kiosk.settings import SettingsStore

    try:
        width, height = (int(v) for v in size.lower().split("x"))
    except ValueError:
        raise click.BadParameter("use WIDTHxHEIGHT, e.g. 1080x1920", param_hint="'--size'") from None
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        raise click.BadParameter(f"each side from {MIN_SIDE} to {MAX_SIDE} pixels, e.g. 1080x1920",
                                 param_hint="'--size'")  # fmt: skip
    if sync_url:  # an empty one: no sync in this run
        _check_address(sync_url, "'--sync-url'")
    options = RunOptions.from_settings(
        SettingsStore(), windowed=windowed, width=width, height=height, idle_timeout_s=idle_timeout,
        trusted_keys=list(trust) or _kiosk_keys(), channel=channel, sync_url=sync_url,
        sync_interval_s=sync_interval * 60 if sync_interval else None,
    )  # fmt: skip
    sys.exit(run(options))


# --- content -------------------------------------------------------------------------------------
@main.group()
def content() -> None:
    """Check, build and inspect the guide's sources (the content/ folder)."""


_source_option = click.option(
    "--source", type=_EXISTING_FOLDER, default=None, help="The content folder (default: content/ of this checkout)."
)
_database_option = click.option(
    "--database", type=_EXISTING_FILE, default=None,
    help="A guide database (default: for search and speak the guide the kiosk uses, the installed update or the "
         "bundled guide; for coverage the bundled guide).",
)  # fmt: skip


_today_option = click.option(
    "--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, metavar="YYYY-MM-DD",
    help="Judge the facts' validity on this day (default: today): expired facts are errors, facts ending within "
         "60 days warnings.",
)  # fmt: skip


@content.command("check")
@_source_option
@_today_option
def content_check(source: Path | None, today: dt.datetime | None) -> None:
    """Report every problem in the sources as path:line: message; exit 1 if there are errors."""
    from kiosk.content.check import check

    root = source or paths.content_dir()
    _, report = check(root, paths.icons_dir(), paths.fonts_dir(), today.date() if today else None)
    for problem in report.sorted():
        click.echo(f"{_display(root, problem.path)}:{problem.line}: {problem.severity.value}: {problem.message}")
    click.echo(f"{len(report.errors)} error(s), {len(report.warnings)} warning(s) in {root}", err=True)
    sys.exit(1 if report.errors else 0)


def _reason(exc: Exception) -> str:
    """The message of an exception raised with one (a KeyError's str() would quote it)."""
    return exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)


def _display(root: Path, rel: str) -> str:
    candidate = root / rel
    return str(candidate) if not Path(rel).is_absolute() else rel


@content.command("build")
@_source_option
@click.option("--output", type=_NEW_FILE, default=None,
              help="Where to write the database, in an existing folder (default: the bundled guide).")  # fmt: skip
@_today_option
@click.option("--allow-expired", is_flag=True,
              help="Build even if facts have expired (recorded in the database; the kiosk shows their period).")
def content_build(source: Path | None, output: Path | None, today: dt.datetime | None, allow_expired: bool) -> None:
    """Check the sources and build the guide database (refused if the check finds errors)."""
    from kiosk.content.build import build
    from kiosk.content.problems import ContentError

    root = source or paths.content_dir()
    if output is not None:
        _parent_must_exist(output, "'--output'")
    target = output or paths.bundled_guide()
    try:
        result = build(root, target, paths.icons_dir(), paths.fonts_dir(), today.date() if today else None,
                       allow_expired)  # fmt: skip
    except OSError as exc:
        _fail(f"not built: {exc}")
    except ContentError as exc:
        for problem in exc.report.sorted():
            if problem.severity.value == "error":
                click.echo(f"{_display(root, problem.path)}:{problem.line}: error: {problem.message}")
        _fail(f"build refused: {len(exc.report.errors)} error(s); {target} was not changed")
    click.echo(
        f"built {result.output}: guide version {result.content_version}, {result.languages} languages, "
        f"{result.questions} questions, {result.answers} answers"
        + (
            f" ({len(result.report.warnings)} warning(s): run 'wegwijzer content check')"
            if result.report.warnings
            else ""
        )
    )


@content.command("coverage")
@_database_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def content_coverage(database: Path | None, as_json: bool) -> None:
    """Per language: answers that are original, reviewed, machine-translated, stale or missing; the voice that
    reads them (none: only human recordings speak, and the kiosk's Listen button says there is no voice) and the
    answers with a recording."""
    store = _open(database)
    rows = store.coverage()
    if as_json:
        click.echo(json.dumps([asdict(r) for r in rows], indent=2))
        return
    total = len(store.question_ids())
    click.echo(f"{'language':<10}{'original':>9}{'reviewed':>9}{'machine':>9}{'stale':>7}{'missing':>9}  of {total}"
               f"   voice        recorded")  # fmt: skip
    for r in rows:
        voice = ", ".join(r.voices) if r.voices else "NONE"
        click.echo(f"{r.lang:<10}{r.original:>9}{r.reviewed:>9}{r.machine:>9}{r.stale:>7}{r.missing:>9}"
                   f"        {voice:<13}{r.recorded:>8}")  # fmt: skip
    silent = [r.lang for r in rows if not r.voices and r.recorded < total]
    if silent:
        click.echo(f"no voice: {', '.join(silent)} (answers without a recording cannot be heard)", err=True)


@content.command("stamp")
@click.argument("lang")
@click.argument("question_ids", nargs=-1)
@_source_option
def content_stamp(lang: str, question_ids: tuple[str, ...], source: Path | None) -> None:
    """Record that LANG's translations are up to date with the source text (sets source_hash).

    Run it after you updated or reviewed a translation. With no QUESTION_IDS, every answer of LANG is stamped.
    """
    from kiosk.content.stamp import stamp

    root = source or paths.content_dir()
    try:
        changed = stamp(root, lang, list(question_ids))
    except (KeyError, FileNotFoundError, ValueError) as exc:
        raise click.ClickException(_reason(exc)) from exc
    except OSError as exc:
        _fail(f"not stamped: {exc}")
    for path in changed:
        click.echo(f"stamped {path}")
    click.echo(f"{len(changed)} file(s) stamped", err=True)


def _print_import(result: Any, root: Path) -> None:
    """Written files on stdout; refusals and warnings as ``path:line: message`` on stderr; exit 1 on refusals."""
    for problem in result.report.sorted():
        click.echo(str(problem), err=True)
    for rel in result.written:
        click.echo(f"written {root / rel}")
    for note in result.notes:
        click.echo(f"needs change: {note}")
    click.echo(f"{len(result.written)} file(s) written, {len(result.unchanged)} unchanged, "
               f"{len(result.report.errors)} refused", err=True)  # fmt: skip
    if result.report.errors:
        sys.exit(1)


@content.command("import-recordings")
@click.argument("folder", type=_EXISTING_FOLDER)
@_source_option
def content_import_recordings(folder: Path, source: Path | None) -> None:
    """Take recordings made on kiosks into lang/<code>/recordings/ (FOLDER: an export, or a stick's
    wegwijzer-contrib folder with several). A recording of an answer that changed since is stale: refused."""
    from kiosk.content.contributions import import_recordings

    root = source or paths.content_dir()
    try:
        result = import_recordings(root, folder)
    except OSError as exc:
        _fail(f"not imported: {exc}")
    _print_import(result, root)


@content.command("import-reviews")
@click.argument("folder", type=_EXISTING_FOLDER)
@_source_option
def content_import_reviews(folder: Path, source: Path | None) -> None:
    """Take review marks made on kiosks: an answer marked correct (its current version) gets status: reviewed,
    reviewed_by and reviewed; marks 'needs change' are listed and kept in lang/<code>/review-notes.yaml."""
    from kiosk.content.contributions import import_reviews

    root = source or paths.content_dir()
    try:
        result = import_reviews(root, folder)
    except OSError as exc:
        _fail(f"not imported: {exc}")
    _print_import(result, root)


@content.command("export-xliff")
@click.argument("lang")
@_source_option
@click.option("--out", type=_NEW_FILE, default=None,
              help="The XLIFF file to write, in an existing folder (default: wegwijzer-LANG.xlf here).")  # fmt: skip
def content_export_xliff(lang: str, source: Path | None, out: Path | None) -> None:
    """Write LANG's texts (answers and screen texts) as an XLIFF 1.2 file for a translator's tool.

    Machine translations are marked for review, reviewed ones final, missing ones have no translation yet.
    Bring the file back with 'wegwijzer content import-xliff'.
    """
    from kiosk.content.translation import write_all
    from kiosk.content.xliff import XliffError, export_xliff

    if out is not None:
        _parent_must_exist(out, "'--out'")
    try:
        data = export_xliff(source or paths.content_dir(), lang)
    except XliffError as exc:
        raise click.ClickException(str(exc)) from exc
    target = out or Path(f"wegwijzer-{lang}.xlf")
    try:
        write_all({target: data})
    except OSError as exc:
        _fail(f"not written: {target}: {exc.strerror or exc}")
    click.echo(f"wrote {target}")


@content.command("import-xliff")
@click.argument("xliff_file", metavar="FILE", type=_EXISTING_FILE)
@_source_option
def content_import_xliff(xliff_file: Path, source: Path | None) -> None:
    """Write the translations of an XLIFF file made by 'content export-xliff' back into the answer files.

    Units whose source text changed since the export (stale) are refused by name, the others are written; exit 1
    if any unit was refused. A file that cannot be used is refused whole and nothing is written.
    """
    from kiosk.content.xliff import MAX_XLIFF_BYTES, XliffError, import_xliff

    try:
        with xliff_file.open("rb") as handle:
            data = handle.read(MAX_XLIFF_BYTES + 1)
    except OSError as exc:
        _fail(f"cannot read {xliff_file}: {exc.strerror or exc}")
    try:
        result = import_xliff(source or paths.content_dir(), data)
    except XliffError as exc:
        _fail(f"not imported: {xliff_file}: {' '.join(str(exc).split())}; nothing was written")
    except OSError as exc:
        _fail(f"not imported: {exc}; nothing was written")
    for path, status in result.written:
        click.echo(f"wrote {path} ({status})")
    for uid, why in result.refused:
        click.echo(f"refused {uid}: {why}", err=True)
    click.echo(f"{result.lang}: {len(result.written)} file(s) written, {len(result.refused)} unit(s) refused, "
               f"{result.unchanged} unchanged", err=True)  # fmt: skip
    sys.exit(1 if result.refused else 0)


@content.command("review-sheet")
@click.argument("lang")
@click.option("--out", type=_NEW_FILE, required=True, help="The PDF file to write, in an existing folder.")
@_source_option
def content_review_sheet(lang: str, out: Path, source: Path | None) -> None:
    """A PDF for reviewers on paper: the source text beside LANG's translation, paragraph by paragraph, each
    answer on a new page with its state (machine, reviewed, stale, missing) in the header."""
    from kiosk.content.translation import TranslationError

    _parent_must_exist(out, "'--out'")
    try:
        from kiosk.tools.review_sheet import sheet, write_pdf
    except ImportError as exc:
        _fail(f"the review sheet needs Qt (PySide6): {exc}")
    try:
        content = sheet(source or paths.content_dir(), lang)
    except TranslationError as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        _, pages = write_pdf(content, out, paths.fonts_dir())
    except OSError as exc:
        _fail(f"not written: {out}: {exc.strerror or exc}")
    click.echo(f"wrote {out}: {len(content.pages)} answers on {pages} pages")


# --- signing and bundles ----------------------------------------------------------------------
@main.group()
def keys() -> None:
    """Signing keys for guide bundles."""


@keys.command("generate")
@click.option("--out", type=_PATH, required=True, help="Folder for NAME.private.pem and NAME.public.pem.")
@click.option("--name", default="wegwijzer", show_default=True, help="File name prefix, e.g. release-2027 or test.")
@click.option("--kind", type=click.Choice(["release", "test"]), required=True,
              help="release: for the kiosks in the centres; test: for trials (kiosks refuse its bundles unless "
                   "the setting accept_test_keys is on).")  # fmt: skip
def keys_generate(out: Path, name: str, kind: str) -> None:
    """Make an Ed25519 key pair. Keep the private key offline; ship the public key with the kiosk."""
    from kiosk.updates.bundle import BundleError, generate_keys

    try:
        private, public = generate_keys(out, name, kind)
    except BundleError as exc:
        raise click.ClickException(str(exc)) from exc
    except OSError as exc:
        _fail(f"not generated: {exc}")
    click.echo(f"private key (keep offline, never on a kiosk): {private}")
    click.echo(f"public key (goes into assets/keys/ of the kiosk build): {public}")


@main.group()
def bundle() -> None:
    """Signed guide bundles for USB sticks and network sync."""


@bundle.command("create")
@click.option("--database", type=_PATH, required=True, help="The guide database to publish.")
@click.option("--key", type=_PATH, required=True, help="The private signing key (PEM).")
@click.option("--out", type=_PATH, required=True, help="A new, empty folder for the bundle.")
@click.option("--channel", default="stable", show_default=True, help="Release channel, e.g. stable or test.")
@click.option(
    "--valid-days", type=click.IntRange(1, 3650), default=365, show_default=True, help="Days until it expires."
)
def bundle_create(database: Path, key: Path, out: Path, channel: str, valid_days: int) -> None:
    """Sign a guide database into a bundle folder (manifest, signature, database)."""
    from kiosk.updates.bundle import BundleError, create_bundle

    try:
        manifest = create_bundle(database, key, out, channel, valid_days)
    except BundleError as exc:
        raise click.ClickException(str(exc)) from exc
    except OSError as exc:
        _fail(f"not created: {exc}")
    click.echo(f"bundle {out}: guide version {manifest.content_version}, channel {manifest.channel}, "
               f"expires {manifest.expires.date()}")  # fmt: skip


_allow_test_keys_option = click.option(
    "--allow-test-keys", is_flag=True, help="Also take a bundle signed with a test key (as a trial kiosk would)."
)


@bundle.command("verify")
@click.argument("folder", type=_PATH)
@click.option("--trust", type=_PATH, multiple=True, help="A trusted public key (default: the kiosk's own).")
@_allow_test_keys_option
def bundle_verify(folder: Path, trust: tuple[Path, ...], allow_test_keys: bool) -> None:
    """Check a bundle's signature and database as a kiosk would; exit 1 with the reason if it must not be
    installed. Names the key that signed it."""
    from kiosk.updates.bundle import BundleError, load_public_key, verify_bundle

    try:
        files = list(trust) or sorted(paths.trusted_keys_dir().glob("*.public.pem"))
        manifest = verify_bundle(folder, [load_public_key(path) for path in files], allow_test_keys)
    except (BundleError, OSError) as exc:
        _fail(f"refused: {exc}")
    signer = manifest.signed_by.label if manifest.signed_by else "?"
    click.echo(f"valid: guide version {manifest.content_version}, channel {manifest.channel}, "
               f"issued {manifest.issued.isoformat()}, expires {manifest.expires.isoformat()}, "
               f"needs Wegwijzer {manifest.min_app_version}+, signed with the {signer}")  # fmt: skip


@main.group()
def update() -> None:
    """Install signed guide bundles and see what is installed."""


@update.command("apply")
@click.option(
    "--from",
    "source",
    required=True,
    metavar="DIR|URL",
    help="A bundle folder (e.g. on a USB stick) or the http(s) address of a published bundle folder.",
)
@click.option("--trust", type=_PATH, multiple=True, help="A trusted public key (default: the kiosk's own).")
@click.option("--channel", default="stable", show_default=True, help="The channel this kiosk takes.")
@_allow_test_keys_option
@_private_data
def update_apply(source: str, trust: tuple[Path, ...], channel: str, allow_test_keys: bool) -> None:
    """Verify and install a bundle into the data directory; the kiosk switches to it at a safe moment."""
    from kiosk.updates.bundle import BundleError, load_public_key
    from kiosk.updates.install import apply_bundle

    if not source.strip():
        raise click.BadParameter("an empty folder name or address", param_hint="'--from'")
    try:
        trusted = [load_public_key(p) for p in (list(trust) or _kiosk_keys())]
        if source.startswith(("http://", "https://")):
            from kiosk.updates.sync import SyncOptions, sync_once

            options = SyncOptions(channel=channel, conditional=False, allow_test_keys=allow_test_keys)
            result = sync_once(source, trusted, options)
            outcome, version = result.outcome, result.version
        else:
            folder = Path(source)
            if not folder.is_dir():
                raise BundleError(f"{source} is not a folder")
            outcome, manifest = apply_bundle(folder, trusted, channel, allow_test_keys=allow_test_keys)
            version = manifest.content_version if manifest else None
    except BundleError as exc:
        _fail(f"refused: {exc}")
    except OSError as exc:
        _fail(f"not installed: {exc}")
    click.echo(f"guide version {version} {'installed' if outcome == 'installed' else 'was already installed'}")


def _kiosk_keys() -> list[Path]:
    return sorted(paths.trusted_keys_dir().glob("*.public.pem"))


@update.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_private_data
def update_status(as_json: bool) -> None:
    """Which guide is installed and in use, the highest version ever installed, and the last attempts."""
    from kiosk.updates import voicepack
    from kiosk.updates.install import status

    info = status()
    voices = voicepack.status()
    if as_json:
        click.echo(json.dumps({**info, "voices": voices}, indent=2))
        return
    click.echo(f"installed: {info['installed_version'] or 'none (the bundled guide is used)'}")
    click.echo(f"in use: {info['in_use']}")
    click.echo(f"highest ever installed: {info['highest_version']}")
    if info["signed_by"]:
        click.echo(f"the installed guide was signed with the {info['signed_by']}")
    if info["newest_issued"]:
        click.echo(f"newest issue time seen: {info['newest_issued']}")
    for attempt in info["attempts"][-5:]:  # type: ignore[index]
        # no version: refused before the manifest was read (unreachable, unsigned, malformed)
        version = "-" if attempt.get("version") is None else f"v{attempt['version']}"
        key = f"  ({attempt['key']})" if attempt.get("key") else ""
        click.echo(f"  {attempt['when']}  {version}  {attempt['result']}  {attempt['reason']}{key}")
    installed: dict[str, dict[str, object]] = voices["installed"]  # type: ignore[assignment]
    packs = [f"{name} v{record.get('version')}" for name, record in sorted(installed.items())]
    click.echo(f"voice packs: {', '.join(packs) or 'none (espeak-ng speaks)'}")
    for attempt in voices["attempts"][-3:]:  # type: ignore[index]
        click.echo(f"  {attempt['when']}  {attempt['result']}  {attempt['reason']}")


# --- voice packs ------------------------------------------------------------------------------------
@main.group()
def voices() -> None:
    """Neural voice packs: signed like guide bundles, installed beside espeak-ng."""


@voices.command("bundle")
@click.argument("voice_folder", type=_PATH)
@click.option("--key", type=_PATH, required=True, help="The private signing key (PEM), the guides' own.")
@click.option("--out", type=_PATH, required=True, help="A new, empty folder for the pack.")
@click.option("--version", "pack_version", type=click.IntRange(1, 2**31 - 1), default=1, show_default=True,
              help="The pack's version: a kiosk takes a pack of the same voice only with a higher one.")  # fmt: skip
@click.option("--channel", default="stable", show_default=True, help="Release channel, e.g. stable or test.")
@click.option(
    "--valid-days", type=click.IntRange(1, 3650), default=3650, show_default=True, help="Days until it expires."
)
def voices_bundle(voice_folder: Path, key: Path, out: Path, pack_version: int, channel: str, valid_days: int) -> None:
    """Sign the Piper voice in VOICE_FOLDER (NAME.onnx, NAME.onnx.json, MODEL_CARD) into a voice pack.

    Refused when its model card declares no licence that allows redistribution, names a non-commercial licence
    or a non-commercial parent voice, or when the voice cannot speak. Word timings are added to the model here."""
    from kiosk.updates.bundle import BundleError
    from kiosk.updates.voicepack import create_pack

    try:
        manifest = create_pack(voice_folder, key, out, pack_version, channel, valid_days)
    except BundleError as exc:
        _fail(f"refused: {exc}")
    except OSError as exc:
        _fail(f"not created: {exc}")
    size = sum(f.length for f in manifest.files) // 1_000_000
    click.echo(f"voice pack {out}: {manifest.label} ({manifest.language}), licence {', '.join(manifest.licences)}"
               f"{f', fine-tuned from {manifest.parent}' if manifest.parent else ''}, {size} MB, "
               f"channel {manifest.channel}, expires {manifest.expires.date()}")  # fmt: skip


@voices.command("verify")
@click.argument("folder", type=_PATH)
@click.option("--trust", type=_PATH, multiple=True, help="A trusted public key (default: the kiosk's own).")
@_allow_test_keys_option
def voices_verify(folder: Path, trust: tuple[Path, ...], allow_test_keys: bool) -> None:
    """Check a voice pack's signature and every file's length and SHA-256 as a kiosk would, before publishing it;
    exit 1 with the reason. (Installing also tries the voice.)"""
    from kiosk.updates.bundle import BundleError, load_public_key
    from kiosk.updates.voicepack import verify_pack

    try:
        manifest = verify_pack(folder, [load_public_key(p) for p in (list(trust) or _kiosk_keys())], allow_test_keys)
    except (BundleError, OSError) as exc:
        _fail(f"refused: {exc}")
    signer = manifest.signed_by.label if manifest.signed_by else "?"
    click.echo(f"valid: voice {manifest.label} ({manifest.language}), licence {', '.join(manifest.licences)}, "
               f"channel {manifest.channel}, expires {manifest.expires.date()}, signed with the {signer}")  # fmt: skip


@voices.command("add")
@click.argument("source", metavar="DIR|URL")
@click.option("--trust", type=_PATH, multiple=True, help="A trusted public key (default: the kiosk's own).")
@click.option("--channel", default="stable", show_default=True, help="The channel this kiosk takes.")
@_allow_test_keys_option
@_private_data
def voices_add(source: str, trust: tuple[Path, ...], channel: str, allow_test_keys: bool) -> None:
    """Verify and install the voice pack in DIR (e.g. on a USB stick), or every new pack a sync address publishes
    (URL/voices/index.txt); the kiosk uses it from its next sentence. The previous version of a voice is kept
    until the next install."""
    from kiosk.updates.bundle import BundleError, load_public_key
    from kiosk.updates.voicepack import install_pack

    try:
        trusted = [load_public_key(p) for p in (list(trust) or _kiosk_keys())]
        if source.startswith(("http://", "https://")):
            _sync_voices(source, trusted, channel, allow_test_keys)
            return
        folder = Path(source)
        if not source.strip() or not folder.is_dir():
            raise BundleError(f"{source!r} is not a folder")
        outcome, manifest = install_pack(folder, trusted, channel, allow_test_keys=allow_test_keys)
    except BundleError as exc:
        _fail(f"refused: {exc}")
    except OSError as exc:
        _fail(f"not installed: {exc}")
    label = manifest.label if manifest else "?"
    click.echo(f"voice {label} {'installed' if outcome == 'installed' else 'was already installed'}")


def _sync_voices(url: str, trusted: list[Any], channel: str, allow_test_keys: bool) -> None:
    from kiosk.updates.sync import SyncOptions
    from kiosk.updates.voicesync import sync_voices

    result = sync_voices(url, trusted, SyncOptions(channel=channel, allow_test_keys=allow_test_keys))
    for label in result.installed:
        click.echo(f"voice {label} installed")
    if result.same:
        click.echo(f"{result.same} voice pack(s) already installed")
    for source, reason in result.refused:
        click.echo(f"refused: {source}: {reason}", err=True)
    if result.refused:
        sys.exit(1)


@voices.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_private_data
def voices_list(as_json: bool) -> None:
    """Installed voice packs (voice, version, language, licence, signer) and the last install attempts."""
    from kiosk.updates.voicepack import status

    info = status()
    if as_json:
        click.echo(json.dumps(info, indent=2))
        return
    installed: dict[str, dict[str, object]] = info["installed"]  # type: ignore[assignment]
    if not installed:
        click.echo("no voice pack installed: espeak-ng speaks every language it has a voice for")
    for name, record in sorted(installed.items()):
        licences = ", ".join(str(x) for x in record.get("licences", []))  # type: ignore[attr-defined]
        click.echo(f"{name}  v{record.get('version')}  {record.get('language')}  licence {licences}  "
                   f"installed {record.get('installed')}  ({record.get('signed_by')})")  # fmt: skip
    for attempt in info["attempts"][-5:]:  # type: ignore[index]
        version = "-" if attempt.get("version") is None else f"v{attempt['version']}"
        click.echo(f"  {attempt['when']}  {version}  {attempt['result']}  {attempt['reason']}", err=True)


# --- staff, settings, usage figures -----------------------------------------------------------------
@main.group()
def staff() -> None:
    """The staff PIN."""


@staff.command("set-pin")
@click.option("--pin-stdin", is_flag=True, help="Read the PIN from standard input (for install scripts).")
@_private_data
def staff_set_pin(pin_stdin: bool) -> None:
    """Set the staff PIN (4 to 12 digits); only a salted scrypt hash is stored. Lifts any lock-out."""
    from kiosk.pin import PinError, set_pin

    if pin_stdin:
        pin = sys.stdin.readline().strip()
    else:
        pin = click.prompt("New staff PIN", hide_input=True, confirmation_prompt="Once more")
    try:
        set_pin(pin)
    except (PinError, OSError) as exc:
        _fail(f"not set: {exc}")
    click.echo(f"staff PIN set (stored as a salted hash in {paths.data_dir()})")


@main.group()
def settings() -> None:
    """See and change the kiosk's settings (the staff view changes the same ones)."""


@settings.command("show")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_private_data
def settings_show(as_json: bool) -> None:
    """Every setting with its value and what it means."""
    from kiosk.settings import FIELDS, SettingsStore, describe

    config = SettingsStore().config
    if as_json:
        click.echo(json.dumps(asdict(config), indent=2, ensure_ascii=False))
        return
    for name in FIELDS:
        value = getattr(config, name)
        shown = ",".join(value) if isinstance(value, tuple) else value
        click.echo(f"{name} = {shown}\n    {describe(name)}")


@settings.command("set")
@click.argument("name")
@click.argument("value")
@_private_data
def settings_set(name: str, value: str) -> None:
    """Set NAME to VALUE (yes/no, a number, text, or a comma-separated list). A bad value is refused."""
    from kiosk.settings import SettingError, SettingsStore, parse

    try:
        SettingsStore().set(name, parse(name, value))
    except SettingError as exc:
        _fail(f"refused: {exc}")
    except OSError as exc:
        _fail(f"not saved: {exc}")
    click.echo(f"{name} set")


@main.group()
def stats() -> None:
    """Usage figures (counts per day; nothing about any person)."""


@stats.command("export")
@click.option("--out", type=_FOLDER, required=True, help="Folder for the CSV file.")
@_private_data
def stats_export(out: Path) -> None:
    """Write every count as CSV (day, kind, key, lang, count)."""
    from kiosk.settings import SettingsStore
    from kiosk.usage import Usage

    try:
        path = Usage().export_csv(out, SettingsStore().config.site_name)
    except OSError as exc:
        _fail(f"not written: {exc}")
    click.echo(f"written: {path}")


@main.group()
def recordings() -> None:
    """Recordings and review marks made on this kiosk (staff mode, 'Record and review')."""


@recordings.command("export")
@click.option("--out", type=_EXISTING_FOLDER, required=True,
              help="An existing folder (a stick): the export goes into wegwijzer-contrib/<centre>-<date>-<time>/.")
@_private_data
def recordings_export(out: Path) -> None:
    """Write every finished recording and every review mark for the editors (content import-recordings and
    import-reviews take them in). Nothing is removed from the kiosk."""
    from kiosk.contrib.export import export
    from kiosk.contrib.store import ContribError, Contributions
    from kiosk.settings import SettingsStore
    from kiosk.updates.safefs import SafeDir

    contributions = Contributions(paths.data_dir() / "contrib")
    try:
        with SafeDir.open(out) as target:
            result = export(contributions, target, SettingsStore().config.site_name)
    except (OSError, ContribError) as exc:
        _fail(f"not exported: {exc}")
    for unfinished in result.unfinished:
        click.echo(f"not exported (sentences still to read): {unfinished}", err=True)
    click.echo(f"exported {result.recordings} recording(s) and {result.reviews} review file(s) to {result.folder}")


@recordings.command("list")
@_private_data
def recordings_list() -> None:
    """The recordings (sentences kept of all) and review marks on this kiosk."""
    from kiosk.contrib.store import Contributions

    contributions = Contributions(paths.data_dir() / "contrib")
    for r in contributions.recordings():
        click.echo(f"recording {r.lang}/{r.question_id}.{r.part}: {r.kept}/{len(r.sentences)} sentences, "
                   f"read by {r.reader or '-'}, {r.updated or '-'}")  # fmt: skip
    for lang, qid, marks in contributions.reviews():
        last = marks[-1]
        click.echo(f"review {lang}/{qid}: {last.verdict} by {last.initials} ({last.at[:10]})"
                   + (f": {last.note}" if last.note else ""))  # fmt: skip


@main.group()
def maintenance() -> None:
    """Keep the kiosk off after staff exited it (for supervisors such as systemd)."""


@maintenance.command("check")
@_private_data
def maintenance_check() -> None:
    """Exit 0 if the kiosk may start, 1 while maintenance is on (since staff exited it, in this boot)."""
    from kiosk import maintenance as m

    if m.active():
        click.echo("maintenance: the kiosk stays off (end it with `wegwijzer maintenance end`)")
        sys.exit(1)
    click.echo("the kiosk may start")


@maintenance.command("end")
@_private_data
def maintenance_end() -> None:
    """End maintenance: the kiosk may start again."""
    from kiosk import maintenance as m

    try:
        ended = m.end()
    except OSError as exc:
        _fail(f"not ended: {exc}")
    click.echo("maintenance ended" if ended else "maintenance was not on")


# --- search --------------------------------------------------------------------------------------
@main.command("search")
@click.argument("query")
@click.option("--lang", required=True, help="Language code, e.g. nl, ar, ti.")
@_database_option
@click.option(
    "--audience",
    type=click.Choice(["resident", "organisation"]),
    default=None,
    help="Only questions for this audience.",
)
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def search_command(
    query: str, lang: str, database: Path | None, audience: str | None, limit: int, as_json: bool
) -> None:
    """Search the guide the way the kiosk does."""
    store = _open(database, kiosk_guide=True)
    try:
        store.language(lang)  # also for a query without words, which finds nothing
        hits = store.search(query, lang, audience=audience, limit=limit)
    except KeyError as exc:
        raise click.ClickException(_reason(exc)) from exc
    if as_json:
        click.echo(json.dumps([asdict(h) for h in hits], ensure_ascii=False, indent=2))
        return
    for hit in hits:
        click.echo(f"{hit.question_id}  [{hit.lang}]  {hit.question}")
        click.echo(f"    {_mark(hit.snippet, hit.snippet_highlights)}")
    click.echo(f"{len(hits)} result(s)", err=True)


# --- speech --------------------------------------------------------------------------------------
@main.command("speak")
@click.argument("text", required=False, default="")
@click.option("--lang", required=True, help="Language code, e.g. nl, ar, prs, ti.")
@click.option("--question", "question_id", default=None, metavar="ID",
              help="Say this question's answer (in short, then in full) instead of TEXT, as the kiosk shows it.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, metavar="YYYY-MM-DD",
              help="With --question: the kiosk's day, which decides whether a figure is shown as expired.")
@click.option("--output", type=_NEW_FILE, default=None, help="Save a WAV file (FILE.wav) instead of playing it.")
@click.option("--slow", is_flag=True, help="The slower speed the kiosk offers.")
@click.option("--words", "show_words", is_flag=True, help="Also print when each word starts.")
@click.option("--engine", type=click.Choice(["auto", "espeak-ng", "piper"]), default="auto", show_default=True,
              help="The speech engine: piper (neural voices from the installed voice packs), espeak-ng, or auto "
                   "(as the kiosk: the neural voice where one is installed, espeak-ng elsewhere).")
@_database_option
def speak_command(text: str, lang: str, question_id: str | None, today: dt.datetime | None, output: Path | None,
                  slow: bool, show_words: bool, engine: str, database: Path | None) -> None:  # fmt: skip
    """Hear (or save) TEXT, or a question's answer, the way the kiosk says it: the same plan (lexicon, spoken
    variants, the staff's speed setting), the same engine and voice choice."""
    from kiosk.settings import SettingsStore
    from kiosk.speech.engine import SpeechError
    from kiosk.speech.engines import make_engine
    from kiosk.speech.plan import Synthesis
    from kiosk.speech.speaker import Speaker, write_wav

    if question_id is not None and text.strip():
        raise click.BadParameter("give TEXT or --question, not both", param_hint="'TEXT'")
    if question_id is None and not text.strip():
        raise click.BadParameter("nothing to say", param_hint="'TEXT'")
    if output is not None:
        if output.suffix.lower() != ".wav":
            raise click.BadParameter(f"only WAV is written: use a name ending in .wav, not {output.name}",
                                     param_hint="'--output'")  # fmt: skip
        _parent_must_exist(output, "'--output'")
    store = _open(database, kiosk_guide=True)
    parts: list[str] = [text]
    variants: list[str | None] = []
    if question_id is not None:
        parts, variants, lang = _answer_parts(store, question_id, lang, today.date() if today else None)
    speed = SettingsStore().config.speech_speed / 100
    try:
        speaker = Speaker(store, make_engine(engine))
        steps = speaker.plan(parts, lang, slow, speed, variants)
        utterance, words = speaker.speak(parts, lang, slow, speed, variants)
    except KeyError as exc:
        raise click.ClickException(_reason(exc)) from exc
    except SpeechError as exc:
        raise click.ClickException(str(exc)) from exc
    spoken = " ".join(step.spoken.strip() for step in steps if isinstance(step, Synthesis))
    click.echo(f"voice {speaker.voice_for(lang)}, {utterance.duration_ms} ms: {spoken}", err=True)
    if show_words:
        for word in words:
            click.echo(f"{word.ms:>7} ms  {parts[word.part][word.start : word.end]}")
    if output is not None:
        try:
            write_wav(utterance, output)
        except OSError as exc:
            _fail(f"not saved: {exc}")
        click.echo(f"saved {output}", err=True)
    else:
        from kiosk.qt.playback import play_blocking

        with _quiet_sound_server():
            played = play_blocking(utterance)
        if not played:
            raise click.ClickException("no audio output device here; use --output FILE.wav to save the speech")


def _answer_parts(store: Any, question_id: str, lang: str,
                  today: dt.date | None) -> tuple[list[str], list[str | None], str]:  # fmt: skip
    """What the kiosk's Listen button says for an answer: in short, in full (with their spoken variants), and the
    notice for an expired figure; and the language it is in (the fallback's, when ``lang`` has no answer)."""
    from kiosk import clock

    try:
        answer = store.answer(question_id, lang, today=today or clock.today())
    except KeyError as exc:
        raise click.ClickException(_reason(exc)) from exc
    if answer.lang != lang:
        click.echo(f"no answer in '{lang}': this is the one in '{answer.lang}'", err=True)
    parts = [answer.short, answer.body_text]
    variants: list[str | None] = [answer.spoken_short, answer.spoken_answer]
    if answer.may_be_outdated:
        parts.append(store.ui_strings(answer.lang).get("fact_outdated", ""))
    return parts, variants, answer.lang


# Said by Qt's PulseAudio back end without a logging category, so QT_LOGGING_RULES cannot silence it.
_SOUND_SERVER_NOISE = ("PulseAudioService:",)


@contextlib.contextmanager
def _quiet_sound_server() -> Iterator[None]:
    """Drop Qt's uncategorised sound-server messages ("PulseAudioService: pa_context_connect() failed": the
    command says itself that there is no audio device); every other Qt message is printed as Qt would."""
    if os.environ.get(DEBUG_ENV):
        yield
        return
    from PySide6.QtCore import qFormatLogMessage, qInstallMessageHandler

    def handler(kind: Any, context: Any, message: str) -> None:
        if not message.startswith(_SOUND_SERVER_NOISE):
            click.echo(qFormatLogMessage(kind, context, message), err=True)

    previous = qInstallMessageHandler(handler)
    try:
        yield
    finally:
        qInstallMessageHandler(previous)


def _mark(text: str, spans: tuple[tuple[int, int], ...]) -> str:
    out, last = [], 0
    for start, end in spans:
        out += [text[last:start], "[", text[start:end], "]"]
        last = end
    return "".join(out) + text[last:]


def _open(database: Path | None, kiosk_guide: bool = False):  # type: ignore[no-untyped-def]
    """``database``, else the bundled guide, or with ``kiosk_guide`` the one the kiosk uses (the installed
    update, else the bundled guide)."""
    from kiosk import guides
    from kiosk.guide import GuideError, GuideStore

    try:
        if database is None and kiosk_guide:
            return guides.open_best()
        return GuideStore(database or paths.bundled_guide())
    except GuideError as exc:
        raise click.ClickException(str(exc)) from exc
