"""Build-time helpers for ``packaging/wegwijzer.spec``: make the one-folder kiosk smaller without changing what it does.

Two things are most of the waste in a PyInstaller build of a PySide6 app on Linux:

* **ICU's data library.** Qt6Core links ICU, whose ``libicudata`` is a 31 MB blob holding every locale of the
  world, legacy code pages, transliterators and CJK/Thai word dictionaries. Qt only asks ICU for collation,
  locale case mapping, time zone names and named legacy codecs; none of the dropped parts. :func:`slim_icu_data`
  rebuilds the library with ICU's own tool (``icupkg``) keeping the root data, the core tables and the locale
  data of the guide's languages, then links the filtered blob under the same symbol and soname (binutils).
* **Orphaned system libraries.** Dropping a Qt plugin in the spec (the GTK platform theme, for one) leaves the
  libraries PyInstaller collected for it. :func:`prune_orphans` keeps only what the kept extension modules,
  Qt plugins and ctypes-loaded libraries actually link.

Every step checks its tools first and leaves the build unchanged (saying why) when one is missing, so a build
without binutils or icu-devtools still works; it is only bigger.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

# A locale's resource bundle: ``ar.res``, ``ar_EG.res``, ``sr_Latn_BA.res``, ``de_.res``, ``root.res``; not
# ``pool.res`` or ``supplementalData.res``, which are shared tables.
_LOCALE_ITEM = re.compile(r"^(?P<language>[a-z]{2,3}|root)(?:_[A-Za-z0-9]*)*\.res$")
# What Qt asks ICU for (the ICU functions Qt6Core imports, by family) and so the data the kiosk needs: locale
# case mapping (u_strToUpper/Lower: code, plus locale data), time zone names (ucal: the zone tree, zoneinfo64),
# named legacy codecs (ucnv: cnvalias; the kiosk only reads UTF-8, which needs no table) and collation (ucol:
# the coll tree). A Qt that calls anything else gets the full ICU data until this list is looked at again.
QT_ICU_FAMILIES = {"u_strToLower", "u_strToUpper", "ucal", "ucnv", "ucol"}
# Trees of ICU data none of those functions reads: word/line break rules and dictionaries, currency, language,
# region and unit names, number spelling, transliteration.
_UNREAD_TREES = {"brkitr", "curr", "lang", "region", "unit", "rbnf", "translit"}
# Top-level tables none of them reads: character names (u_charName), stringprep profiles, the spoof checker.
_UNREAD_SUFFIXES = (".cnv", ".spp", ".cfu")
_UNREAD_ITEMS = {"unames.icu"}


def icu_items_to_drop(items: Iterable[str], languages: Iterable[str]) -> list[str]:
    """The ICU data items a kiosk for these languages can do without, given what Qt reads (QT_ICU_FAMILIES).

    Dropped: the trees and tables Qt never reads, legacy code-page converters (``*.cnv``; UTF-8/16/32 and
    Latin-1 are built into ICU's code), and the locale bundles of every language that is not the guide's in
    the trees Qt does read (locale data, collation, zone names). Kept: ``root`` and every shared table, so
    anything Qt asks for in another locale falls back to root data instead of failing.
    """
    keep = {language.lower() for language in languages} | {"root"}
    dropped = []
    for item in items:
        tree, _, name = item.rpartition("/")
        if tree in _UNREAD_TREES or name.endswith(_UNREAD_SUFFIXES) or item in _UNREAD_ITEMS:
            dropped.append(item)
            continue
        match = _LOCALE_ITEM.match(name)
        if match and match["language"] not in keep:
            dropped.append(item)
    return dropped


def qt_icu_families(qt_core: Path) -> set[str]:
    """The ICU function families (``ucol``, ``u_strToUpper``, ...) a Qt6Core library imports (readelf)."""
    symbols = _run("readelf", "--dyn-syms", "--wide", qt_core)
    families = set()
    for function in re.findall(r"\bUND\s+(u[a-z]*_[A-Za-z]+)_\d+\b", symbols):
        prefix = function.split("_")[0]
        families.add(function if prefix == "u" else prefix)
    return families


def _missing(tools: Iterable[str]) -> list[str]:
    return [tool for tool in tools if shutil.which(tool) is None]


def _run(*command: str | Path) -> str:
    return subprocess.run([str(part) for part in command], check=True, capture_output=True, text=True).stdout


def slim_icu_data(
    library: Path, languages: Iterable[str], workdir: Path, note: Callable[[str], None] = print
) -> Path | None:
    """A copy of ICU's data library keeping only what :func:`icu_items_to_drop` does not drop, or None.

    ``library`` is ``libicudataNN.so``: one read-only symbol ``icudtNN_dat`` holding an ICU ``.dat`` package.
    None (with a note) when a tool is missing or the library is not laid out as expected; the caller then
    ships the original.
    """
    if sys.platform != "linux":
        return None
    missing = _missing(["objcopy", "readelf", "icupkg", "as", "ld"])
    if missing:
        note(f"note: ICU data is not slimmed ({', '.join(missing)} missing: apt-get install binutils icu-devtools)")
        return None
    version = re.fullmatch(r"libicudata\.so\.(\d+)(?:\..*)?", library.name)
    if version is None:
        note(f"note: ICU data is not slimmed ({library.name} is not a libicudata.so.NN)")
        return None
    qt_core = library.with_name("libQt6Core.so.6")
    unknown = qt_icu_families(qt_core) - QT_ICU_FAMILIES if qt_core.is_file() else {"(no libQt6Core next to it)"}
    if unknown:
        note(f"note: ICU data is not slimmed (Qt6Core also calls ICU's {', '.join(sorted(unknown))})")
        return None
    symbol = f"icudt{version[1]}_dat"
    package = f"icudt{version[1]}{'l' if sys.byteorder == 'little' else 'b'}"
    if not _blob_is_rodata(library, symbol):
        note(f"note: ICU data is not slimmed ({library.name}: {symbol} is not the whole .rodata section)")
        return None

    work = workdir / "icu"
    shutil.rmtree(work, ignore_errors=True)
    (work / "in").mkdir(parents=True)
    (work / "out").mkdir()
    whole = work / "in" / f"{package}.dat"  # icupkg names the items after the package file's name
    _run("objcopy", "-O", "binary", "--only-section=.rodata", library, whole)
    items = _run("icupkg", "--list", whole).split()
    dropped = icu_items_to_drop(items, languages)
    (work / "drop.txt").write_text("\n".join(dropped) + "\n", encoding="utf-8")
    slim = work / "out" / f"{package}.dat"
    _run("icupkg", "--remove", work / "drop.txt", whole, slim)  # fails if a kept item needs a dropped one
    kept = _run("icupkg", "--list", slim).split()
    if len(kept) != len(items) - len(dropped):
        note(f"note: ICU data is not slimmed (icupkg kept {len(kept)} items, expected {len(items) - len(dropped)})")
        return None

    out = _link_data_library(slim, symbol, library.name, work)
    note(f"ICU data: {len(kept)} of {len(items)} items kept, {library.stat().st_size / 2**20:.1f} MiB -> "
         f"{out.stat().st_size / 2**20:.1f} MiB")  # fmt: skip
    return out


def _blob_is_rodata(library: Path, symbol: str) -> bool:
    """True when ``symbol`` is exactly the library's .rodata section (how ICU packages its data)."""
    symbols = _run("readelf", "--dyn-syms", "--wide", library)
    sections = _run("readelf", "--section-headers", "--wide", library)
    rodata = re.search(r"\.rodata\s+PROGBITS\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)", sections)
    exported = re.search(
        rf"([0-9a-f]+)\s+(0x[0-9a-f]+|\d+)\s+OBJECT\s+GLOBAL\s+DEFAULT\s+\d+\s+{symbol}$", symbols, re.M
    )
    return (
        rodata is not None
        and exported is not None
        and int(rodata[1], 16) == int(exported[1], 16)
        and int(rodata[2], 16) == int(exported[2], 0)
    )


def _link_data_library(blob: Path, symbol: str, soname: str, work: Path) -> Path:
    """A shared library exporting ``blob``'s bytes as the read-only ``symbol``, named ``soname`` (binutils)."""
    source = work / "icudata.s"
    source.write_text(
        f"\t.section .rodata\n\t.globl {symbol}\n\t.type {symbol}, @object\n\t.balign 16\n{symbol}:\n"
        f'\t.incbin "{blob}"\n\t.size {symbol}, . - {symbol}\n\t.section .note.GNU-stack,"",@progbits\n',
        encoding="utf-8",
    )
    obj = work / "icudata.o"
    out = work / soname
    _run("as", "-o", obj, source)
    _run("ld", "-shared", "-soname", soname, "-o", out, obj)
    return out


def _soname_imports(path: Path) -> list[str]:
    """The libraries a binary links (its DT_NEEDED names), read with binutils' readelf."""
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", _run("readelf", "--dynamic", "--wide", path))


def prune_orphans(
    binaries: list[tuple[str, str, str]], is_root: Callable[[str], bool], note: Callable[[str], None] = print
) -> list[tuple[str, str, str]]:
    """The PyInstaller binaries that a root (by destination name) needs, directly or through others.

    Roots are what something loads by itself: Python extension modules, Qt plugins, ctypes-loaded libraries.
    Everything else stays only if a root links it. Unchanged (with a note) without readelf, or off Linux.
    """
    if sys.platform != "linux":
        return binaries
    if _missing(["readelf"]):
        note("note: orphaned libraries are kept (readelf missing: apt-get install binutils)")
        return binaries
    by_name: dict[str, list[tuple[str, str, str]]] = {}
    for entry in binaries:
        by_name.setdefault(Path(entry[0]).name, []).append(entry)
    stack = [entry for entry in binaries if is_root(entry[0])]
    needed: set[tuple[str, str, str]] = set()
    while stack:
        entry = stack.pop()
        if entry in needed:
            continue
        needed.add(entry)
        for soname in _soname_imports(Path(entry[1])):
            stack.extend(by_name.get(soname, []))
    orphans = [entry for entry in binaries if entry not in needed]
    if orphans:
        size = sum(Path(entry[1]).stat().st_size for entry in orphans) / 2**20
        note(f"{len(orphans)} libraries nothing links left out ({size:.1f} MiB): "
             + ", ".join(sorted(Path(entry[0]).name for entry in orphans)))  # fmt: skip
    return [entry for entry in binaries if entry in needed]
