"""Is there a program for mailto:/https: links? (XDG association files, no subprocess.)"""

from __future__ import annotations

from pathlib import Path

from trayapp.desktop.url_handlers import has_handler

ENV = {"HOME": "/home/u", "XDG_DATA_DIRS": "/usr/share", "XDG_CONFIG_DIRS": "/etc/xdg"}


def reader(files: dict[str, str]):  # type: ignore[no-untyped-def]
    return lambda path: files.get(str(path), "")


def test_a_registered_handler_is_found_in_any_association_file() -> None:
    cache = {
        "/usr/share/applications/mimeinfo.cache": (
            "[MIME Cache]\nx-scheme-handler/https=chromium.desktop;\n"
        )
    }
    assert has_handler("https", ENV, reader(cache), "linux") is True
    assert has_handler("mailto", ENV, reader(cache), "linux") is False
    user = {
        "/home/u/.config/mimeapps.list": (
            "[Default Applications]\nx-scheme-handler/mailto=thunderbird.desktop\n"
        )
    }
    assert has_handler("mailto", ENV, reader(user), "linux") is True


def test_removed_or_empty_associations_do_not_count() -> None:
    files = {
        "/home/u/.config/mimeapps.list": (
            "[Removed Associations]\nx-scheme-handler/mailto=evolution.desktop\n"
        ),
        "/usr/share/applications/defaults.list": (
            "[Default Applications]\nx-scheme-handler/mailto=\n"
        ),
    }
    assert has_handler("mailto", ENV, reader(files), "linux") is False


def test_other_platforms_cannot_tell() -> None:
    assert has_handler("mailto", ENV, reader({}), "win32") is None
    assert has_handler("mailto", ENV, reader({}), "darwin") is None


def test_the_real_files_are_read(tmp_path: Path) -> None:
    apps = tmp_path / "data" / "applications"
    apps.mkdir(parents=True)
    (apps / "mimeapps.list").write_text(
        "[Added Associations]\nx-scheme-handler/mailto=mutt.desktop;\n"
    )
    env = {
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_DATA_DIRS": "/nonexistent",
    }
    assert has_handler("mailto", env, platform="linux") is True
