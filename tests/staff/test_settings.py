"""Settings: declared once, validated on the way in and out, persisted atomically."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kiosk import paths
from kiosk.cli import main
from kiosk.settings import FIELDS, Config, SettingError, SettingsStore, check, describe, parse


def test_settings_survive_a_restart():
    store = SettingsStore()
    store.set("idle_timeout_s", 120)
    store.set("language_order", ["ar", "nl", "ti"])
    store.set("show_organisation_questions", False)
    again = SettingsStore()
    assert again.config.idle_timeout_s == 120
    assert again.config.language_order == ("ar", "nl", "ti")
    assert again.config.show_organisation_questions is False
    assert again.config.speech_speed == Config().speech_speed  # defaults are not written
    assert set(json.loads(paths.settings_file().read_text())) == {"idle_timeout_s", "language_order",
                                                                  "show_organisation_questions"}  # fmt: skip


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("idle_timeout_s", 5, "between 20 and 3600"),
        ("idle_timeout_s", "90", "whole number"),
        ("idle_timeout_s", True, "whole number"),
        ("show_organisation_questions", "yes", "yes or no"),
        ("staff_language", "ar", "one of"),
        ("language_order", ["nl", "nl"], "twice"),
        ("language_order", "nl", "list"),
        ("language_order", ["../x"], "does not accept"),
        ("sync_url", "ftp://example.org/", "does not accept"),
        ("site_name", "x" * 61, "longer than"),
        ("no_such_setting", 1, "there is no setting"),
    ],
)
def test_a_bad_value_is_refused_and_not_stored(name, value, reason):
    store = SettingsStore()
    store.set("idle_timeout_s", 60)
    before = paths.settings_file().read_bytes()
    with pytest.raises(SettingError, match=reason):
        store.set(name, value)
    assert paths.settings_file().read_bytes() == before
    assert store.config.idle_timeout_s == 60


def test_a_stored_value_that_became_invalid_falls_back_to_its_default(caplog):
    paths.settings_file().parent.mkdir(parents=True, exist_ok=True)
    paths.settings_file().write_text(json.dumps({"idle_timeout_s": 1, "speech_speed": 120, "nonsense": 3}))
    config = SettingsStore().config
    assert config.idle_timeout_s == 90 and config.speech_speed == 120
    assert "idle_timeout_s" in caplog.text and "nonsense" in caplog.text


def test_a_broken_settings_file_gives_the_defaults(caplog):
    paths.settings_file().parent.mkdir(parents=True, exist_ok=True)
    paths.settings_file().write_text("{not json")
    assert SettingsStore().config == Config()
    assert "cannot be read" in caplog.text


def test_every_setting_has_help_and_its_default_passes_its_own_check():
    for name, f in FIELDS.items():
        assert describe(name)
        assert check(name, f.default) == f.default


def test_parse_from_command_line_text():
    assert parse("show_organisation_questions", "no") is False
    assert parse("language_order", "ar, nl,ti") == ("ar", "nl", "ti")
    assert parse("sync_interval_min", " 30 ") == 30
    with pytest.raises(SettingError, match="whole number"):
        parse("sync_interval_min", "soon")


def test_cli_settings():
    runner = CliRunner()
    assert runner.invoke(main, ["settings", "set", "speech_speed", "80"]).exit_code == 0
    result = runner.invoke(main, ["settings", "set", "speech_speed", "300"])
    assert result.exit_code == 1 and "between 60 and 140" in result.output
    shown = runner.invoke(main, ["settings", "show", "--json"])
    assert json.loads(shown.output)["speech_speed"] == 80
