"""Benchmarks of guide updates (issue #5): installing a big guide, and a fleet of kiosks polling one nginx.

Figures (full run; ``--quick`` uses 20 kiosks, a 5 MB guide and 3 poll rounds):

* **verify + install a 50 MB guide from a folder**: ``apply_bundle`` of a signed bundle into a fresh data
  directory (signature, hashed copy with fsync, SQLite integrity check, pointer switch), median of 3. Baseline,
  interleaved in the same process: ``shutil.copyfile`` + ``hashlib.sha256`` of the same file, the floor any
  install must pay (no fsync, no integrity check). The integrity check alone is shown below it.
* **nginx**: the Debian ``nginx`` binary on 127.0.0.1 (2 workers, own config in a temp folder) serves a static
  bundle folder. Every simulated kiosk is its own **process** with its own data directory (the kiosk keeps
  the data directory process-wide, so threads cannot play different kiosks); all of them wait at one
  barrier and then poll together, so "at once" means all kiosk processes released together, as concurrent as
  this machine's cores allow.
  A round's time runs from the first kiosk's start to the last kiosk's end.

  - *bytes per poll*: nginx's ``$bytes_sent`` (headers included) of the 304 answers to the conditional polls
    when nothing changed, mean. Baseline: one round of the same poll without ``If-None-Match`` /
    ``If-Modified-Since`` (manifest and signature are sent in full; the kiosk then finds the same version).
  - *share of 304s* among those polls (from the access log; every kiosk must also see outcome "unchanged").
  - *polls served per second*: kiosks / time of the first round, and total polls / summed time of all rounds.
    Baseline: the same rounds of a plain ``urllib`` GET of a tiny static file (a 200, no conditional headers),
    the cost of any one request from these kiosk processes. On a small machine the Python kiosks, not nginx,
    use up the cores, so these are the rates of this whole fleet-on-one-machine, not nginx's ceiling:
  - *nginx CPU time per poll*: CPU time of nginx's master and workers (``/proc/<pid>/schedstat``) over all
    the poll rounds / polls; baseline the same over the plain GET rounds. 1 s / this is what one core of
    nginx could answer.
  - *new guide for all kiosks*: a new 50 MB version is published; all kiosks poll at once, each downloads and
    installs it; the wall time until the last one is done and the aggregate throughput (kiosks x database size /
    wall time). Baseline: one kiosk alone doing the same sync in the same run (x kiosks for the wall time).
    Each kiosk checks its installed version and deletes its data directory when done, to bound disk use.

If ``nginx`` is not installed, the fleet figures are skipped with a note. Targets are this benchmark's own
(none are specified by the issue), except the 304 size: a poll that finds nothing new should cost the server
a few hundred bytes (see kiosk/updates/sync.py).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import hashlib
import multiprocessing
import os
import queue
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing.context import ForkServerContext
from multiprocessing.process import BaseProcess
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path
from types import TracebackType

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from bench.report import Figure, median, print_table
from kiosk import paths
from kiosk.updates import install, sync
from kiosk.updates.bundle import MANIFEST, create_bundle, generate_keys, load_public_key

MB = 1_000_000
TINY = "ping.txt"
SYNC_OPTIONS = sync.SyncOptions(timeout_s=60.0, min_rate=1000.0, attempts=3, retry_pause_s=1.0)
KIOSK_WAIT_S = 900.0  # how long an idle kiosk process waits for the next step before giving up
STEP_TIMEOUT_S = 900.0  # how long the parent waits for all kiosks to finish one step


@dataclass(frozen=True)
class Scale:
    kiosks: int
    guide_bytes: int
    rounds: int
    install_runs: int


FULL = Scale(kiosks=200, guide_bytes=50 * MB, rounds=10, install_runs=3)
QUICK = Scale(kiosks=20, guide_bytes=5 * MB, rounds=3, install_runs=3)


# --- guides and bundles ---------------------------------------------------------------------------------------


def make_guide(source: Path, target: Path, version: int, size: int = 0) -> Path:
    """A copy of ``source`` with content version ``version``, grown to about ``size`` bytes the way a real guide
    grows: with human recordings (random 16-bit frames) of its answers, which the install checks accept."""
    shutil.copyfile(source, target)
    conn = sqlite3.connect(target)
    try:
        conn.execute("UPDATE meta SET value = ? WHERE key = 'content_version'", (str(version),))
        conn.commit()
        slots = iter(conn.execute("SELECT a.question_id, a.lang, p.part FROM answers a, "
                                  "(SELECT 'short' AS part UNION SELECT 'answer') p ORDER BY 1, 2, 3").fetchall())
        blob = 512 * 1024
        while target.stat().st_size < size:
            batch = [(*slot, 22050, 1, os.urandom(blob)) for slot, _ in zip(slots, range(16), strict=False)]
            if not batch:
                raise RuntimeError(f"cannot grow {target} to {size} bytes with recordings")
            conn.executemany("INSERT OR REPLACE INTO recordings (question_id, lang, part, sample_rate, channels, "
                             "frames) VALUES (?, ?, ?, ?, ?, ?)", batch)  # fmt: skip
            conn.commit()
    finally:
        conn.close()
    return target


def publish(bundle: Path, site: Path) -> None:
    """Replace what the static host serves with ``bundle`` (the manifest last).

    nginx's validators (ETag = mtime in seconds + size, Last-Modified) cannot tell apart two manifests of the same
    size written within the same second, so a new one is never written in the second of the one it replaces."""
    old_manifest = site / MANIFEST
    if old_manifest.exists():
        while int(time.time()) <= int(old_manifest.stat().st_mtime):
            time.sleep(0.05)
    for old in site.iterdir():
        if old.name != TINY:
            old.unlink()
    for path in sorted(bundle.iterdir(), key=lambda p: p.name == MANIFEST):
        shutil.copyfile(path, site / path.name)


def _sha256_file(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


# --- 1. install from a folder ---------------------------------------------------------------------------------


def _install_times(bundle: str, key: str, work: str, runs: int) -> tuple[list[float], list[float], list[float]]:
    """In a worker process (the data directory is process-wide): apply_bundle, the copy+hash floor, integrity."""
    trusted = [load_public_key(Path(key))]
    database = next(Path(bundle).glob("*.sqlite"))
    installs, floors, checks = [], [], []
    for i in range(runs):  # interleaved, so both see the same machine state
        data = Path(work) / f"install-{i}"
        paths.set_data_dir(data)
        t0 = time.perf_counter()
        outcome, _manifest = install.apply_bundle(Path(bundle), trusted)
        installs.append(time.perf_counter() - t0)
        if outcome != "installed" or install.installed_version() is None:
            raise RuntimeError(f"apply_bundle gave {outcome!r}")
        shutil.rmtree(data)

        copy = Path(work) / f"copy-{i}.sqlite"
        t0 = time.perf_counter()
        shutil.copyfile(database, copy)
        _sha256_file(copy)
        floors.append(time.perf_counter() - t0)
        copy.unlink()

        conn = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)
        t0 = time.perf_counter()
        conn.execute("PRAGMA integrity_check").fetchone()
        checks.append(time.perf_counter() - t0)
        conn.close()
    paths.set_data_dir(None)
    return installs, floors, checks


def local_install(figures: list[Figure], ctx: ForkServerContext, bundle: Path, key: Path, work: Path,
                  scale: Scale) -> None:  # fmt: skip
    with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
        installs, floors, checks = pool.submit(
            _install_times, str(bundle), str(key), str(work), scale.install_runs
        ).result()
    size = scale.guide_bytes // MB
    figures.append(
        Figure(f"verify + install {size} MB guide from a folder (median)", median(installs) * 1000, "ms",
               median(floors) * 1000, "shutil.copyfile + hashlib.sha256 of the same file", "<= 4x baseline")
    )  # fmt: skip
    figures.append(Figure("  of which SQLite integrity check (median)", median(checks) * 1000, "ms"))


# --- nginx ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogLine:
    status: int
    bytes_sent: int
    path: str


def find_nginx() -> str | None:
    found = shutil.which("nginx")
    if found:
        return found
    for candidate in ("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx"):
        if os.access(candidate, os.X_OK):
            return candidate
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Nginx:
    """nginx in the foreground (``daemon off``) with its own config, logs and temp files in ``work``."""

    def __init__(self, binary: str, root: Path, work: Path) -> None:
        self.binary, self.root, self.work = binary, root, work
        self.access_log = work / "access.log"
        self.error_log = work / "error.log"
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def _config(self) -> str:
        w = self.work
        user = "user root;\n" if os.geteuid() == 0 else ""  # as root the workers would be nobody: no /tmp access
        return f"""daemon off;
master_process on;
worker_processes 2;
{user}pid {w}/nginx.pid;
error_log {self.error_log} warn;
events {{ worker_connections 2048; }}
http {{
    log_format bench '$status $bytes_sent $body_bytes_sent "$request"';
    access_log {self.access_log} bench;
    client_body_temp_path {w}/client_body;
    proxy_temp_path {w}/proxy;
    fastcgi_temp_path {w}/fastcgi;
    uwsgi_temp_path {w}/uwsgi;
    scgi_temp_path {w}/scgi;
    types {{ application/json json; text/plain txt; }}
    default_type application/octet-stream;
    sendfile on;
    server {{
        listen 127.0.0.1:{self.port};
        server_name localhost;
        root {self.root};
        location / {{ }}
    }}
}}
"""

    def __enter__(self) -> Nginx:
        for _attempt in range(3):  # the free port can be taken before nginx binds it
            self.port = _free_port()
            config = self.work / "nginx.conf"
            config.write_text(self._config(), encoding="utf-8")
            self.process = subprocess.Popen(
                [self.binary, "-p", str(self.work), "-e", str(self.error_log), "-c", str(config)],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
            if self._wait_ready():
                return self
            self.stop()
        log = self.error_log.read_text(errors="replace") if self.error_log.exists() else ""
        raise RuntimeError(f"nginx did not start:\n{log[-2000:]}")

    def _wait_ready(self) -> bool:
        assert self.process is not None
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
            time.sleep(0.02)
        return False

    def stop(self) -> None:
        if self.process is None:
            return
        process, self.process = self.process, None
        if process.poll() is None:
            process.terminate()  # fast shutdown: the master stops its workers
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)  # its own session: the master and its workers
                process.wait()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    def cpu_seconds(self) -> float | None:
        """CPU time used so far by the master and its workers (Linux /proc), None where that cannot be read."""
        if self.process is None:
            return None
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return None
        total = 0.0
        for process in [str(pid), *children]:
            try:  # nanoseconds on the CPU; /proc/<pid>/stat only counts clock ticks (10 ms)
                total += int(Path(f"/proc/{process}/schedstat").read_text().split()[0]) / 1e9
            except (OSError, ValueError, IndexError):
                return None
        return total

    def log_mark(self) -> int:
        return self.access_log.stat().st_size if self.access_log.exists() else 0

    def log_since(self, mark: int, expect: int) -> list[LogLine]:
        """The access log lines written after ``mark``; waits briefly for ``expect`` of them (written at close)."""
        deadline = time.monotonic() + 5
        while True:
            with self.access_log.open("rb") as f:
                f.seek(mark)
                data = f.read()
            complete = data[: data.rfind(b"\n") + 1].decode("utf-8", "replace").splitlines()
            if len(complete) >= expect or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        lines = []
        for line in complete:
            status, sent, _body, request = line.split(" ", 3)
            parts = request.strip('"').split()
            lines.append(LogLine(int(status), int(sent), parts[1] if len(parts) > 1 else ""))
        return lines


# --- the kiosk fleet ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    step: str
    kiosk: int
    start: float  # time.monotonic(), comparable between processes
    end: float
    outcome: str
    version: int | None = None
    downloaded: int = 0


def _kiosk_step(step: str, base_url: str, trusted: list[Ed25519PublicKey]) -> tuple[str, int | None, int]:
    if step == "get":
        with urllib.request.urlopen(base_url + TINY, timeout=SYNC_OPTIONS.timeout_s) as response:
            response.read()
            return str(response.status), None, 0
    options = dataclasses.replace(SYNC_OPTIONS, conditional=step != "poll-unconditional")
    result = sync.sync_once(base_url, trusted, options)
    return result.outcome, install.installed_version(), result.downloaded


def _kiosk(index: int, data_dir: str, base_url: str, key: str, plan: list[str], barrier: Barrier,
           results: Queue[Outcome]) -> None:  # fmt: skip
    """One simulated kiosk: its own process and data directory, one plan step per barrier release."""
    paths.set_data_dir(data_dir)
    trusted = [load_public_key(Path(key))]
    for step in plan:
        try:
            barrier.wait(timeout=KIOSK_WAIT_S)
        except threading.BrokenBarrierError:  # the parent gave up (or never came back): end quietly
            return
        start = time.monotonic()
        try:
            outcome, version, downloaded = _kiosk_step(step, base_url, trusted)
        except Exception as exc:  # reported, not raised: the parent judges the round
            outcome, version, downloaded = f"error: {type(exc).__name__}: {exc}", None, 0
        end = time.monotonic()
        if step == "install-last":  # checked by the parent from the version; free the disk at once
            shutil.rmtree(data_dir, ignore_errors=True)
        results.put(Outcome(step, index, start, end, outcome, version, downloaded))


class Fleet:
    """``count`` kiosk processes that run ``plan`` step by step, all released together by one barrier."""

    def __init__(self, ctx: ForkServerContext, count: int, data_root: Path, base_url: str, key: Path,
                 plan: list[str]) -> None:  # fmt: skip
        self.count, self.plan = count, list(plan)
        self.barrier = ctx.Barrier(count + 1)
        self.results: Queue[Outcome] = ctx.Queue()
        self.processes: list[BaseProcess] = []
        for i in range(count):
            args = (i, str(data_root / f"kiosk-{i:03d}"), base_url, str(key), plan, self.barrier, self.results)
            self.processes.append(ctx.Process(target=_kiosk, args=args, daemon=True))

    def __enter__(self) -> Fleet:
        for process in self.processes:
            process.start()
        return self

    def step(self, name: str) -> list[Outcome]:
        """Release every kiosk into the next step of the plan and collect their outcomes."""
        if not self.plan or self.plan[0] != name:
            raise RuntimeError(f"step {name!r} is not next in the plan {self.plan[:3]}")
        self.plan.pop(0)
        self.barrier.wait(timeout=120)
        outcomes: list[Outcome] = []
        deadline = time.monotonic() + STEP_TIMEOUT_S
        while len(outcomes) < self.count:
            try:
                outcomes.append(self.results.get(timeout=1.0))
            except queue.Empty:
                dead = [p for p in self.processes if p.exitcode not in (None, 0)]
                if dead:
                    raise RuntimeError(f"{len(dead)} kiosk processes died (exit code {dead[0].exitcode})") from None
                if time.monotonic() > deadline:
                    raise RuntimeError(f"step {name!r}: only {len(outcomes)} of {self.count} kiosks finished") from None
        return outcomes

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.barrier.abort()  # kiosks still waiting for a step give up at once
        for process in self.processes:
            process.join(timeout=10 if kind is None else 1)
        for process in self.processes:
            if process.is_alive():
                process.terminate()
                process.join(timeout=5)
        self.results.close()


def _wall(outcomes: list[Outcome]) -> float:
    return max(o.end for o in outcomes) - min(o.start for o in outcomes)


def _count(outcomes: list[Outcome], wanted: str) -> int:
    return sum(o.outcome == wanted for o in outcomes)


def _note_failures(step: str, outcomes: list[Outcome], wanted: str) -> None:
    bad = [o for o in outcomes if o.outcome != wanted]
    if bad:
        print(f"note: {step}: {len(bad)} of {len(outcomes)} kiosks did not get {wanted!r}, e.g. {bad[0].outcome}")


def _spent(before: float | None, after: float | None) -> float | None:
    return after - before if before is not None and after is not None else None


def _single_kiosk(data_dir: str, base_url: str, key: str) -> tuple[float, str, int | None]:
    """One kiosk alone syncing the published bundle (in a worker process), then its data directory removed."""
    paths.set_data_dir(data_dir)
    try:
        t0 = time.perf_counter()
        result = sync.sync_once(base_url, [load_public_key(Path(key))], SYNC_OPTIONS)
        elapsed = time.perf_counter() - t0
        return elapsed, result.outcome, install.installed_version()
    finally:
        paths.set_data_dir(None)
        shutil.rmtree(data_dir, ignore_errors=True)


def fleet(figures: list[Figure], ctx: ForkServerContext, binary: str, small: Path, big: Path, big_version: int,
          key: Path, work: Path, scale: Scale) -> None:  # fmt: skip
    n = scale.kiosks
    site = work / "site"
    site.mkdir()
    (site / TINY).write_bytes(b"ok\n")
    nginx_dir = work / "nginx"
    nginx_dir.mkdir()
    big_bytes = next(big.glob("*.sqlite")).stat().st_size
    plan = ["install", "poll-unconditional", *["poll"] * scale.rounds, *["get"] * scale.rounds, "install-last"]
    with Nginx(binary, site, nginx_dir) as server, Fleet(ctx, n, work / "kiosks", server.url, key, plan) as kiosks:
        publish(small, site)
        first = kiosks.step("install")
        _note_failures("first install", first, "installed")

        mark = server.log_mark()
        plain = kiosks.step("poll-unconditional")
        _note_failures("poll without validators", plain, "same")
        plain_bytes = sum(line.bytes_sent for line in server.log_since(mark, 2 * n)) / n

        poll_walls, poll_304, poll_bytes, unchanged = [], 0, 0, 0
        poll_cpu = server.cpu_seconds()
        for _ in range(scale.rounds):
            mark = server.log_mark()
            polls = kiosks.step("poll")
            poll_walls.append(_wall(polls))
            unchanged += _count(polls, "unchanged")
            _note_failures("poll", polls, "unchanged")
            lines = server.log_since(mark, n)
            poll_304 += sum(line.status == 304 for line in lines)
            poll_bytes += sum(line.bytes_sent for line in lines if line.status == 304)

        poll_cpu = _spent(poll_cpu, server.cpu_seconds())

        get_walls = []
        get_cpu = server.cpu_seconds()
        for _ in range(scale.rounds):
            gets = kiosks.step("get")
            _note_failures("plain GET", gets, "200")
            get_walls.append(_wall(gets))
        get_cpu = _spent(get_cpu, server.cpu_seconds())

        publish(big, site)
        with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
            alone, alone_outcome, alone_version = pool.submit(
                _single_kiosk, str(work / "alone"), server.url, str(key)
            ).result()
        if (alone_outcome, alone_version) != ("installed", big_version):
            print(f"note: the single kiosk got {alone_outcome!r}, version {alone_version}")
        last = kiosks.step("install-last")
        _note_failures("new guide", last, "installed")

    polls_total = n * scale.rounds
    figures.append(
        Figure("poll, nothing new: bytes sent per 304 (mean)", poll_bytes / max(1, poll_304), "B", plain_bytes,
               "same poll without If-None-Match (manifest + sig, 200)", "<= 500 B")
    )  # fmt: skip
    figures.append(
        Figure(f"  polls answered 304 ({polls_total} polls)", 100 * poll_304 / polls_total, "%", None, "", "100 %")
    )  # fmt: skip
    figures.append(
        Figure(f"  kiosks seeing 'unchanged' ({polls_total} polls)", 100 * unchanged / polls_total, "%", None, "",
               "100 %")
    )  # fmt: skip
    figures.append(
        Figure(f"polls served/s, {n} kiosk processes at once, 1st round", n / poll_walls[0], "req/s",
               n / get_walls[0], f"plain GET of {TINY} (200), same kiosks", f">= {n} (a round < 1 s)")
    )  # fmt: skip
    figures.append(
        Figure(f"  polls served/s over {scale.rounds} rounds", polls_total / sum(poll_walls), "req/s",
               polls_total / sum(get_walls), f"plain GET of {TINY}, {scale.rounds} rounds")
    )  # fmt: skip
    if poll_cpu is not None and get_cpu is not None:
        figures.append(
            Figure("  nginx CPU time per 304 poll (master + workers)", poll_cpu / polls_total * 1e6, "us",
                   get_cpu / polls_total * 1e6, f"per plain GET of {TINY}")
        )  # fmt: skip
    wall = _wall(last)
    on_new = sum(o.outcome == "installed" and o.version == big_version for o in last)
    size = big_bytes / MB
    figures.append(
        Figure(f"new {size:.0f} MB guide: {n} kiosks at once, all installed", wall, "s", alone * n,
               f"one kiosk alone, same sync, x {n}", "< baseline")
    )  # fmt: skip
    figures.append(
        Figure("  aggregate download + install throughput", n * big_bytes / MB / wall, "MB/s", big_bytes / MB / alone,
               "one kiosk alone")
    )  # fmt: skip
    figures.append(Figure("  median kiosk: poll to new guide installed", median([o.end - o.start for o in last]), "s"))
    figures.append(Figure(f"  kiosks on version {big_version} after one poll", on_new, "kiosks", None, "", f"{n}"))


# --- entry points ---------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="wegwijzer-bench-updates-") as tmp:
        yield Path(tmp)


def run(figures: list[Figure], quick: bool) -> None:
    scale = QUICK if quick else FULL
    shipped = paths.bundled_guide()
    if not shipped.is_file():
        print(f"note: {shipped} is missing (run `make guide`): update benchmarks skipped")
        return
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["kiosk.updates.sync"])
    with _workdir() as work:
        private, public = generate_keys(work / "keys", "bench", kind="release")
        conn = sqlite3.connect(f"{shipped.resolve().as_uri()}?mode=ro", uri=True)
        try:
            shipped_version = int(conn.execute("SELECT value FROM meta WHERE key = 'content_version'").fetchone()[0])
        finally:
            conn.close()
        small_version, big_version = shipped_version + 1, shipped_version + 2
        small = work / f"bundle-{small_version}"
        create_bundle(make_guide(shipped, work / "small.sqlite", small_version), private, small)
        big = work / f"bundle-{big_version}"
        create_bundle(make_guide(shipped, work / "big.sqlite", big_version, scale.guide_bytes), private, big)
        (work / "small.sqlite").unlink()
        (work / "big.sqlite").unlink()

        local_install(figures, ctx, big, public, work, scale)
        binary = find_nginx()
        if binary is None:
            print("note: nginx is not installed (apt-get install nginx): the fleet benchmarks are skipped")
            return
        fleet(figures, ctx, binary, small, big, big_version, public, work, scale)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.updates")
    parser.add_argument("--quick", action="store_true", help="20 kiosks and a 5 MB guide")
    args = parser.parse_args()
    collected: list[Figure] = []
    t0 = time.perf_counter()
    run(collected, quick=args.quick)
    print_table(collected)
    print(f"\n{time.perf_counter() - t0:.0f} s")
