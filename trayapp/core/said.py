"""A message for people, kept apart from its language: the English template (which is also the
key of the command line's catalog, trayapp/cli_ja.py) and the values to put in it. Pure.

    Said("account {name!r}: {field} {rule}", name="shop", field="folders", rule=Said(...))

`text()` is the English sentence; `text(catalog)` the same in the catalog's language. A value
that is itself a Said is said in the same language; other values go in as they are (names,
paths and what a user typed are never translated).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Translate = Callable[[str], str]


def _as_is(text: str) -> str:
    return text


class Said:
    __slots__ = ("template", "values")

    def __init__(self, template: str, /, **values: Any) -> None:
        self.template = template
        self.values: Mapping[str, Any] = values

    def text(self, translate: Translate = _as_is) -> str:
        template = translate(self.template)
        if not self.values:  # a fixed sentence: braces in it are text, not placeholders
            return template
        return template.format(
            **{
                key: value.text(translate) if isinstance(value, Said) else value
                for key, value in self.values.items()
            }
        )

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        return f"Said({self.text()!r})"


class SaidError(Exception):
    """An error whose message is a Said: str() is English, text(catalog) the catalog's
    language (the command line and the GUI say it in the user's)."""

    def __init__(self, said: Said) -> None:
        self.said = said
        super().__init__(said.text())

    def text(self, translate: Translate = _as_is) -> str:
        return self.said.text(translate)


class SaidValueError(SaidError, ValueError):
    """A value a person typed that does not read (a time, a range): what and how to write it."""
