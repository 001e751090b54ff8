"""The build-time slimming of the frozen kiosk (kiosk/tools/freeze.py): which ICU data goes, and which libraries."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from PySide6 import QtCore

from kiosk.tools import freeze

QT_LIB = Path(QtCore.__file__).parent / "Qt" / "lib"
GUIDE = ["nl", "fr", "en", "ar", "prs", "fa", "ps", "ti", "tr", "so", "uk"]
needs_binutils = pytest.mark.skipif(shutil.which("readelf") is None, reason="binutils (readelf) is not installed")


def test_icu_keeps_root_shared_tables_and_the_guide_languages_in_the_trees_qt_reads():
    items = ["root.res", "nl.res", "nl_BE.res", "ar_EG.res", "de.res", "de_.res", "zh_Hant_TW.res", "pool.res",
             "supplementalData.res", "timezoneTypes.res", "metaZones.res", "zoneinfo64.res", "cnvalias.icu",
             "ucadata.icu", "coll/root.res", "coll/tr.res", "coll/de.res", "coll/ucadata.icu", "zone/uk.res",
             "zone/ru.res", "zone/pool.res", "ibm-943_P15A-2003.cnv", "unames.icu", "rfc3491.spp",
             "confusables.cfu", "brkitr/root.res", "brkitr/cjdict.dict", "curr/nl.res", "lang/nl.res",
             "region/ar.res", "unit/uk.res", "rbnf/nl.res", "translit/root.res"]  # fmt: skip
    dropped = set(freeze.icu_items_to_drop(items, GUIDE))
    assert set(items) - dropped == {
        "root.res", "nl.res", "nl_BE.res", "ar_EG.res", "pool.res", "supplementalData.res", "timezoneTypes.res",
        "metaZones.res", "zoneinfo64.res", "cnvalias.icu", "ucadata.icu", "coll/root.res", "coll/tr.res",
        "coll/ucadata.icu", "zone/uk.res", "zone/pool.res",
    }  # fmt: skip


@needs_binutils
def test_qt_asks_icu_only_for_what_the_slimmed_data_keeps():
    """A Qt upgrade that calls more of ICU (number formatting, say) must make someone look at the filter again."""
    families = freeze.qt_icu_families(QT_LIB / "libQt6Core.so.6")
    assert "ucol" in families  # the reading works
    assert families <= freeze.QT_ICU_FAMILIES


@needs_binutils
def test_libraries_nothing_links_are_left_out():
    core, svg, qt_core = (
        str(p) for p in (Path(QtCore.__file__), QT_LIB / "libQt6Svg.so.6", QT_LIB / "libQt6Core.so.6")
    )
    binaries = [("PySide6/QtCore.abi3.so", core, "EXTENSION"), ("PySide6/Qt/lib/libQt6Core.so.6", qt_core, "BINARY"),
                ("PySide6/Qt/lib/libQt6Svg.so.6", svg, "BINARY")]  # fmt: skip
    notes: list[str] = []
    kept = freeze.prune_orphans(binaries, lambda name: name.endswith(".abi3.so"), notes.append)
    assert [entry[0] for entry in kept] == ["PySide6/QtCore.abi3.so", "PySide6/Qt/lib/libQt6Core.so.6"]
    assert "libQt6Svg.so.6" in notes[0]


@pytest.mark.skipif(any(shutil.which(t) is None for t in ("readelf", "objcopy", "icupkg", "as", "ld")),
                    reason="binutils or icu-devtools is not installed")  # fmt: skip
def test_the_slimmed_icu_library_holds_only_the_kept_items(tmp_path):
    slim = freeze.slim_icu_data(QT_LIB / "libicudata.so.73", GUIDE, tmp_path, note=lambda _: None)
    assert slim is not None and slim.name == "libicudata.so.73"
    assert slim.stat().st_size < (QT_LIB / "libicudata.so.73").stat().st_size / 5
    data = tmp_path / "icudt73l.dat"
    subprocess.run(["objcopy", "-O", "binary", "--only-section=.rodata", slim, data], check=True)
    kept = set(subprocess.run(["icupkg", "--list", data], capture_output=True, text=True, check=True).stdout.split())
    assert {"coll/tr.res", "zone/ti.res", "nl.res", "root.res", "coll/ucadata.icu"} <= kept
    assert not kept & {"coll/de.res", "zone/ru.res", "ja.res", "brkitr/cjdict.dict"}
    soname = subprocess.run(["readelf", "--dynamic", slim], capture_output=True, text=True, check=True).stdout
    assert "Library soname: [libicudata.so.73]" in soname


def test_without_the_tools_the_library_is_left_as_it_is(monkeypatch, tmp_path):
    monkeypatch.setattr(shutil, "which", lambda tool: None)
    notes: list[str] = []
    assert freeze.slim_icu_data(QT_LIB / "libicudata.so.73", GUIDE, tmp_path, notes.append) is None
    assert "apt-get install binutils icu-devtools" in notes[0]
