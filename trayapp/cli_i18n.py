"""The command line's language: the same choice the tray app makes (Japanese when the system
prefers it, else English), taken from the POSIX locale variables, and a catalog of the
commands' messages (trayapp/cli_ja.py) -- no Qt, no compiled files.

Use: ``from trayapp.cli_i18n import _`` and ``_("text {name}").format(name=...)``: the
English text is the key, so a message without a translation still reads in English.
tests/unit/test_cli_i18n.py fails on a wrapped message the Japanese catalog lacks.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # imported where used: `ippo pending` starts lean
    from trayapp.core.model import AccountHealth
    from trayapp.core.summary import TooltipTexts

Language = Literal["en", "ja"]


def language_from_environ(environ: Mapping[str, str]) -> Language:
    """'ja' or 'en' by gettext's rules: LANGUAGE (a list, honoured unless the locale is C),
    then LC_ALL, LC_MESSAGES, LANG. An explicit IPPO_LANGUAGE wins (tests, scripts)."""
    chosen = _supported(environ.get("IPPO_LANGUAGE", "").strip().lower())
    if chosen is not None:
        return chosen
    locale = ""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if environ.get(name):
            locale = environ[name]
            break
    candidates = []
    if locale and locale.split(".")[0] not in ("C", "POSIX"):
        candidates = [c for c in environ.get("LANGUAGE", "").split(":") if c]
    candidates.append(locale)
    # Like the tray app: the first of the user's languages that Ippo speaks.
    for candidate in candidates:
        primary = candidate.replace("-", "_").split("_")[0].split(".")[0].split("@")[0].lower()
        language = _supported(primary)
        if language is not None:
            return language
    return "en"


def _supported(code: str) -> Language | None:
    return "ja" if code == "ja" else "en" if code == "en" else None


class Catalog:
    """English text -> the language's text; unknown texts pass through unchanged."""

    def __init__(self, language: Language, entries: Mapping[str, str]) -> None:
        self.language = language
        self._entries = entries

    def __call__(self, message: str) -> str:
        return self._entries.get(message, message)


def catalog_for(language: Language) -> Catalog:
    if language == "ja":
        from trayapp.cli_ja import JA

        return Catalog("ja", JA)
    return Catalog("en", {})


_current: Catalog | None = None


def current() -> Catalog:
    """The catalog of this process's language (chosen once, at the first message)."""
    global _current
    if _current is None:
        _current = catalog_for(language_from_environ(os.environ))
    return _current


def use_language(setting: str | None) -> None:
    """Follow the language chosen in Ippo's settings ('ja' or 'en'); None keeps the locale's."""
    global _current
    language = _supported(setting or "")
    if language is not None:
        _current = catalog_for(language)


def _(message: str) -> str:
    """`message` in the command line's language."""
    return current()(message)


def translate_parser(parser: argparse.ArgumentParser, catalog: Catalog | None = None) -> None:
    """Every help text and description of `parser` and its subcommands in the command
    line's language. Done once over the built parser, so a command module writes plain
    English and needs no wrapping; argparse's own words ('usage:', 'options') go through
    the same catalog."""
    catalog = catalog or current()
    if catalog.language == "en":
        return
    argparse._ = catalog  # type: ignore[attr-defined]  # argparse's gettext hook, read at use
    for each in _parsers(parser):
        if each.description:
            each.description = catalog(each.description)
        for group in each._action_groups:
            if group.title:
                group.title = catalog(group.title)
        for action in each._actions:
            if action.help and action.help is not argparse.SUPPRESS:
                action.help = catalog(action.help)
            if isinstance(action, argparse._SubParsersAction):
                for choice in action._choices_actions:
                    if choice.help:
                        choice.help = catalog(choice.help)


def _parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    found = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):
                found.extend(_parsers(sub))
    return found


def tooltip_texts(catalog: Catalog | None = None) -> TooltipTexts:
    """The status-bar tooltip's words (`ippo watch --format waybar`) in the catalog's language."""
    from trayapp.core.durations import WORDS
    from trayapp.core.summary import TooltipTexts

    catalog = catalog or current()
    english = TooltipTexts()
    words = {
        field.name: catalog(getattr(english, field.name))
        for field in dataclasses.fields(english)
        if isinstance(getattr(english, field.name), str)
    }
    return dataclasses.replace(english, **words, duration=WORDS[catalog.language])


def describe_health(health: AccountHealth, catalog: Catalog | None = None) -> str:
    """An account's health for people: the state, and a failure as a plain sentence."""
    from trayapp.core.failures import explain_failure

    catalog = catalog or current()
    state = catalog(health.state.value)
    if not health.reason:
        return state
    sentence = explain_failure(health.reason, catalog.language).text
    return catalog("{state}: {reason}").format(state=state, reason=sentence)


def plain_reason(reason: str) -> str:
    """A server's failure as a plain sentence in the command line's language, then the
    server's own words in brackets (scripts and support look for them)."""
    from trayapp.core.failures import explain_failure

    return explain_failure(reason, current().language).with_detail()


def error_text(error: BaseException) -> str:
    """Why a command cannot go on, for people: a config.json problem in the command line's
    language (naming the account and the field); anything else as a plain sentence
    (trayapp.core.failures), never an exception's class name or repr."""
    from trayapp.core.said import SaidError

    if isinstance(error, SaidError):  # config.json's problems, typed times, the login entry
        return error.text(current())
    if isinstance(error, ValueError):  # what a person typed, refused with a sentence already
        return str(error)
    if isinstance(error, OSError):
        from trayapp.disk import disk_problem

        where = f"{error.filename}: " if error.filename else ""
        return plain_reason(where + disk_problem(error))
    return plain_reason(str(error))


def recovery_line(report: object, catalog: Catalog | None = None) -> str:
    """The one line said when the state file was damaged and moved aside
    (trayapp.store.db.Recovery), in the catalog's language (default: the command line's)."""
    say = catalog or current()
    counts: dict[str, int] = getattr(report, "counts", dict)()
    labels = {
        "acks": say("{count} acknowledgement(s)"),
        "dismissals": say("{count} dismissal(s)"),
        "ignored_senders": say("{count} ignored sender(s)"),
        "notifications": say("{count} notification record(s)"),
        "snoozes": say("{count} snooze(s)"),
        "record": say("{count} message(s) of the weekly record"),
    }
    parts = [label.format(count=counts[t]) for t, label in labels.items() if counts.get(t)]
    line = say(
        "{file} was damaged ({reason}); it was moved aside to {moved} and a fresh one "
        "started; recovered: {kept}"
    ).format(
        file=getattr(report, "file", ""),
        reason=say(getattr(report, "reason", "")),  # known reasons are in the catalog
        moved=getattr(report, "moved_to", ""),
        kept=", ".join(parts) or say("nothing"),
    )
    unsent = int(getattr(report, "unsent", 0))
    if unsent:
        line += say(" ({count} acknowledgement(s) not yet sent: check them)").format(count=unsent)
    return line
