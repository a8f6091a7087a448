"""Acknowledgement templates: which language, which words, which name. Pure.

A template is plain text with placeholders {customer_name}, {promised_time}, {signature} and
{subject}. Only these are replaced, so a user's template may contain any other braces. Leading
lines starting with '#' are the template's title shown in the picker (not sent).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr

from trayapp.core.promise import Language, promise_phrase
from trayapp.core.reply import reply_subject
from trayapp.core.safetext import NAME_CHARS, QUOTED_SUBJECT_CHARS, cap, neutralise

PLACEHOLDERS = ("customer_name", "promised_time", "signature", "subject")
DEFAULT_TEMPLATE = "received"
LANGUAGES: tuple[Language, ...] = ("ja", "en")

_PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")
# Hiragana, katakana (full and half width) and CJK ideographs.
_JAPANESE = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")
# Names that are an organisation take 御中, a person 様.
_ORGANISATION = re.compile(
    r"(会社|事務局|事務所|係|部|課|センター|窓口|御中)$"
    r"|^(株式会社|有限会社|合同会社|一般社団法人|一般財団法人|NPO法人|（株）|\(株\))\S*$"
)
_HONORIFIC = re.compile(r"(様|さま|殿|御中|先生)$")


@dataclass(frozen=True)
class ReplyTemplate:
    name: str  # file stem, e.g. "received"
    language: Language
    title: str  # shown in the picker
    text: str  # the body with placeholders

    def render(self, values: Mapping[str, str]) -> str:
        return render(self.text, values)


def parse_template(name: str, language: Language, source: str) -> ReplyTemplate:
    """A template from its file text: leading '#' lines are the title, the rest the body."""
    lines = source.replace("\r\n", "\n").split("\n")
    titles: list[str] = []
    while lines and lines[0].startswith("#"):
        titles.append(lines.pop(0).lstrip("#").strip())
    body = "\n".join(lines).strip("\n") + "\n"
    return ReplyTemplate(name, language, " ".join(t for t in titles if t) or name, body)


def render(text: str, values: Mapping[str, str]) -> str:
    """Fill the known placeholders; trailing blank lines (an empty signature) are dropped."""
    filled = _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)
    return "\n".join(line.rstrip() for line in filled.split("\n")).rstrip("\n") + "\n"


def detect_language(*texts: str) -> Language:
    """Japanese when the inquiry's subject or text contains kana or kanji, else English."""
    return "ja" if any(_JAPANESE.search(t) for t in texts if t) else "en"


def customer_name(sender: str, language: Language) -> str:
    """How the reply addresses the customer, from the From display name.

    Japanese: the name plus 様 (御中 for an organisation), 'お客様' without a name.
    English: the name as written, 'there' without one ("Hello there,")."""
    name, addr = parseaddr(sender)
    name = " ".join(name.split()).strip("\"' ")
    if name == addr:
        name = ""
    if language == "ja":
        if not name:
            return "お客様"
        if _HONORIFIC.search(name):
            return name
        return f"{name} 御中" if _ORGANISATION.search(name) else f"{name}様"
    return name or "there"


def template_values(
    *,
    sender: str,
    subject: str,
    signature: str,
    language: Language,
    promised: datetime,
    now: datetime | None = None,
) -> dict[str, str]:
    """The placeholder values for one inquiry."""
    # Quoted under the shop's name: the sender's words, so bounded (see core.safetext).
    base_subject = cap(reply_subject(subject).removeprefix("Re:").strip(), QUOTED_SUBJECT_CHARS)
    return {
        "customer_name": cap(neutralise(customer_name(sender, language)), NAME_CHARS),
        "promised_time": promise_phrase(promised, language, now),
        "signature": signature.strip("\n"),
        "subject": base_subject,
    }


def pick_template(
    templates: Iterable[ReplyTemplate], language: Language, name: str | None = None
) -> ReplyTemplate:
    """The named template (default: "received") in `language`, else in the other language,
    so a missing translation never blocks an acknowledgement. An unknown name is an error."""
    available = list(templates)
    wanted = name or DEFAULT_TEMPLATE
    order = [language, *[lang for lang in LANGUAGES if lang != language]]
    for lang in order:
        for template in available:
            if template.name == wanted and template.language == lang:
                return template
    if name is not None:
        known = ", ".join(sorted({t.name for t in available})) or "none"
        raise LookupError(f"no template named {name!r} (installed: {known})")
    for template in available:
        if template.language == language:
            return template
    if available:
        return available[0]
    raise LookupError("no acknowledgement templates are installed")


def template_names(templates: Iterable[ReplyTemplate], language: Language) -> list[str]:
    names = sorted({t.name for t in templates if t.language == language})
    if DEFAULT_TEMPLATE in names:
        names.remove(DEFAULT_TEMPLATE)
        names.insert(0, DEFAULT_TEMPLATE)
    return names
