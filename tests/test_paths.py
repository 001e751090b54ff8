"""The data directory is private to the kiosk's user: folders 0700, files 0600; odd places are refused."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk import paths
from kiosk.cli import main
from tests.updates.conftest import make_bundle, signer  # noqa: F401 (signer is a fixture)

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX modes and owners")
as_root = pytest.mark.skipif(os.name != "posix" or os.geteuid() != 0, reason="root hands a folder to another user")
NOBODY = 65534


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


@pytest.fixture
def loose_umask():
    """A umask that lets everyone read, as on many desktops; the one before is put back."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def private_tree(root: Path) -> list[str]:
    """Everything under ``root`` (and root itself) that is not 0700 (folders) or 0600 (files)."""
    wrong = [] if mode(root) == 0o700 else [f"{root}: {oct(mode(root))}"]
    for folder, dirs, files in os.walk(root):
        for name in dirs:
            if mode(Path(folder, name)) != 0o700:
                wrong.append(f"{Path(folder, name)}: {oct(mode(Path(folder, name)))}")
        for name in files:
            if mode(Path(folder, name)) != 0o600:
                wrong.append(f"{Path(folder, name)}: {oct(mode(Path(folder, name)))}")
    return wrong


@posix_only
def test_creates_the_data_directory_and_its_folders_private(data_dir, loose_umask):
    assert paths.ensure_private_data_dir() == data_dir
    assert sorted(p.name for p in data_dir.iterdir()) == ["guides", "logs", "stats"]
    assert private_tree(data_dir) == []


@posix_only
def test_repairs_what_an_older_version_left_open(data_dir, loose_umask):
    (data_dir / "guides").mkdir(parents=True, mode=0o755)
    os.chmod(data_dir, 0o755)
    (data_dir / "settings.json").write_text("{}", encoding="utf-8")
    (data_dir / "guides" / "state.json").write_text("{}", encoding="utf-8")
    os.chmod(data_dir / "guides" / "state.json", 0o664)
    assert mode(data_dir / "settings.json") == 0o644
    paths.ensure_private_data_dir()
    assert private_tree(data_dir) == []


@pytest.mark.parametrize("where", [".", "guides", "logs", "stats"])
def test_refuses_a_file_where_a_folder_belongs(data_dir, where):
    target = data_dir / where
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("a file", encoding="utf-8")
    with pytest.raises(paths.DataDirError, match="is a file, not a folder"):
        paths.ensure_private_data_dir()
    assert target.read_text(encoding="utf-8") == "a file"


def test_refuses_a_link_inside_the_data_directory(data_dir, tmp_path):
    data_dir.mkdir()
    (tmp_path / "elsewhere").mkdir()
    (data_dir / "guides").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(paths.DataDirError, match="symbolic link"):
        paths.ensure_private_data_dir()
    assert list((tmp_path / "elsewhere").iterdir()) == []


@posix_only
def test_follows_a_link_to_a_folder_of_this_user(data_dir, tmp_path, loose_umask):
    disk = tmp_path / "other-disk"
    disk.mkdir(mode=0o755)
    data_dir.symlink_to(disk)
    paths.ensure_private_data_dir()
    assert mode(disk) == 0o700 and (disk / "guides").is_dir()


def test_refuses_a_dangling_link(data_dir, tmp_path):
    data_dir.symlink_to(tmp_path / "gone")
    with pytest.raises(paths.DataDirError, match="not a folder"):
        paths.ensure_private_data_dir()
    assert not (tmp_path / "gone").exists()


@as_root
def test_refuses_a_folder_of_another_user(data_dir):
    data_dir.mkdir(mode=0o755)
    os.chown(data_dir, NOBODY, NOBODY)
    with pytest.raises(paths.DataDirError, match="run the command as"):
        paths.ensure_private_data_dir()
    assert mode(data_dir) == 0o755 and list(data_dir.iterdir()) == []


@as_root
def test_refuses_a_link_to_a_folder_of_another_user(data_dir, tmp_path):
    theirs = tmp_path / "theirs"
    theirs.mkdir(mode=0o755)
    os.chown(theirs, NOBODY, NOBODY)
    data_dir.symlink_to(theirs)
    with pytest.raises(paths.DataDirError, match="must both belong to this user"):
        paths.ensure_private_data_dir()
    assert mode(theirs) == 0o755


def test_a_refused_data_directory_is_a_usage_error(data_dir):
    data_dir.mkdir()
    (data_dir / "logs").write_text("a file", encoding="utf-8")
    result = CliRunner().invoke(main, ["settings", "set", "site_name", "Klein Kasteeltje"])
    assert result.exit_code == 2 and "logs is a file, not a folder" in result.stderr
    assert not (data_dir / "settings.json").exists()


@posix_only
def test_everything_the_commands_write_is_private(data_dir, tmp_path, shipped_guide, signer, loose_umask):  # noqa: F811
    """After `settings set`, `staff set-pin` and `update apply`, under a umask that would let everyone read."""
    runner = CliRunner()
    assert runner.invoke(main, ["settings", "set", "site_name", "Klein Kasteeltje"]).exit_code == 0
    assert runner.invoke(main, ["staff", "set-pin", "--pin-stdin"], input="4827\n").exit_code == 0
    bundle = make_bundle(tmp_path, shipped_guide, signer, 7)
    result = runner.invoke(main, ["update", "apply", "--from", str(bundle), "--trust", str(signer[2])])
    assert result.exit_code == 0, result.output
    assert runner.invoke(main, ["maintenance", "end"]).exit_code == 0
    assert {"settings.json", "guides", "logs", "stats"} <= {p.name for p in data_dir.iterdir()}
    assert len(list((data_dir / "guides").glob("guide-7-*.sqlite"))) == 1
    assert private_tree(data_dir) == []
    assert os.umask(0o022) == 0o022  # each command gave the umask back (tests run them in this process)


@posix_only
def test_content_build_keeps_the_guide_readable_for_the_kiosk_user(tmp_path, loose_umask):
    """The built guide goes into the package that another user's kiosk reads: no private umask there."""
    result = CliRunner().invoke(main, ["content", "build", "--output", str(tmp_path / "guide.sqlite")])
    assert result.exit_code == 0, result.output
    assert mode(tmp_path / "guide.sqlite") == 0o644
