"""Acknowledgement templates: which language, which words, which name. Pure.

A template is plain text with placeholders {customer_name}, {promised_time}, {signature},
{subject} and {apology} (an apology for the wait when the inquiry is already overdue, else
nothing). Only these are replaced, so a user's template may contain any other braces. A line
that held only placeholders which came out empty is dropped. Leading lines starting with '#'
are the template's title shown in the picker (not sent).
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

PLACEHOLDERS = ("customer_name", "promised_time", "signature", "subject", "apology")
APOLOGIES: dict[Language, str] = {
    "ja": "ご返信が遅くなり、大変申し訳ございません。",
    "en": "I am sorry to have kept you waiting.",
}
DEFAULT_TEMPLATE = "received"
LANGUAGES: tuple[Language, ...] = ("ja", "en")

_PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")
# Hiragana, katakana (full and half width) and CJK ideographs.
_JAPANESE = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")
# The greeting's rules (Japanese; documented in the README):
# - a legal form (株式会社, ㈱, (株), 有限会社, 一般社団法人, …) marks the company part of a
#   display name; ㈱/(株) are written out, as a letter does;
# - company and person ("株式会社ABC 山田 太郎", "山田（株式会社ABC）") → the company on its
#   own line, then the person with 様;
# - a company alone, or a name ending in 会社/事務局/事務所/センター/窓口 → 御中;
# - a person alone → 様; a name that already carries 様/さま/殿/御中/先生 is kept as it is.
_LEGAL_FORMS = (
    "株式会社",
    "有限会社",
    "合同会社",
    "合資会社",
    "合名会社",
    "一般社団法人",
    "一般財団法人",
    "公益社団法人",
    "公益財団法人",
    "特定非営利活動法人",
    "NPO法人",
    "医療法人",
    "学校法人",
    "社会福祉法人",
)
_ABBREVIATED_FORMS = {
    "㈱": "株式会社",
    "(株)": "株式会社",
    "（株）": "株式会社",
    "㈲": "有限会社",
    "(有)": "有限会社",
    "（有）": "有限会社",
    "㈳": "社団法人",
    "㈶": "財団法人",
}
_ORGANISATION_END = re.compile(r"(会社|事務局|事務所|センター|窓口|御中)$")
# A department right after a company ("株式会社ABC 営業部"): only then, since 阿部 is a person.
_DEPARTMENT_END = re.compile(r"(部|課|係|室|支店|営業所|事務局|事務所|センター|窓口)$")
_PARENTHESISED = re.compile(r"[（(]([^（）()]+)[）)]")
_SEPARATORS = re.compile(r"[/／|｜@＠、,]")
_HONORIFIC = re.compile(r"(様|さま|殿|御中|先生)$")
_NAME_ADDR = re.compile(r"^\s*(.*?)\s*<([^<>]*)>\s*$", re.DOTALL)


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
    """Fill the known placeholders. A line that held only placeholders and came out empty
    (no apology due) is dropped, and so are trailing blank lines (an empty signature)."""
    lines: list[str] = []
    for line in text.split("\n"):
        filled = _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), line).rstrip()
        if not filled and _PLACEHOLDER.sub("", line).strip() == "" and _PLACEHOLDER.search(line):
            continue
        lines.append(filled)
    return "\n".join(lines).rstrip("\n") + "\n"


def detect_language(*texts: str) -> Language:
    """Japanese when the inquiry's subject or text contains kana or kanji, else English."""
    return "ja" if any(_JAPANESE.search(t) for t in texts if t) else "en"


def customer_name(sender: str, language: Language) -> str:
    """How the reply addresses the customer, from the From display name.

    Japanese: see the greeting's rules above; 'お客様' without a name.
    English: the name as written, 'there' without one ("Hello there,")."""
    name, addr = _name_and_address(sender)
    name = " ".join(name.split()).strip("\"' ")
    if name == addr:
        name = ""
    if language == "ja":
        return _japanese_greeting(name) if name else "お客様"
    return name or "there"


def _name_and_address(sender: str) -> tuple[str, str]:
    # "Name <addr>" as the headers module writes it: the name is taken as it stands, since
    # parseaddr would read "(株)" as a comment and "佐藤@ABC" as an address.
    match = _NAME_ADDR.match(sender)
    if match:
        return match.group(1), match.group(2).strip()
    return parseaddr(sender)


def _japanese_greeting(name: str) -> str:
    if _HONORIFIC.search(name):
        return name
    company, person = split_company(name)
    if company and person:
        return f"{company}\n{person}様"
    if company:
        return f"{company} 御中"
    return f"{person} 御中" if _ORGANISATION_END.search(person) else f"{person}様"


def split_company(name: str) -> tuple[str, str]:
    """(company, person) of a Japanese display name; either may be empty."""
    for short, full in _ABBREVIATED_FORMS.items():
        name = name.replace(short, full)
    # "山田（株式会社ABC）": the parenthesised part is a segment of its own.
    name = _PARENTHESISED.sub(lambda m: f" / {m.group(1)} / ", name)
    tokens: list[str] = []
    for segment in _SEPARATORS.split(name):
        words = segment.split()
        merged: list[str] = []
        pending_form = ""
        for index, word in enumerate(words):
            # A legal form written apart joins the name it qualifies: the next word
            # ("株式会社 サンプル"), or the one before when it comes last ("サンプル 株式会社").
            if word in _LEGAL_FORMS and index + 1 < len(words):
                pending_form += word
            elif word in _LEGAL_FORMS and merged:
                merged[-1] += word
            else:
                merged.append(pending_form + word)
                pending_form = ""
        if pending_form:
            merged.append(pending_form)
        tokens.extend(merged)
        tokens.append("")  # a separator ends a run of company words
    company: list[str] = []
    person: list[str] = []
    in_company = False
    for token in tokens:
        if not token:
            in_company = False
            continue
        is_company = any(form in token for form in _LEGAL_FORMS)
        if is_company or (in_company and _DEPARTMENT_END.search(token)):
            company.append(token)
            in_company = True
        else:
            person.append(token)
            in_company = False
    return " ".join(company), " ".join(person)


def template_values(
    *,
    sender: str,
    subject: str,
    signature: str,
    language: Language,
    promised: datetime,
    now: datetime | None = None,
    overdue: bool = False,
) -> dict[str, str]:
    """The placeholder values for one inquiry; `overdue` (the reply comes later than the
    account's window promised) adds the apology."""
    # Quoted under the shop's name: the sender's words, so bounded (see core.safetext).
    base_subject = cap(reply_subject(subject).removeprefix("Re:").strip(), QUOTED_SUBJECT_CHARS)
    return {
        # Line by line: the company's own line is ours, not the sender's (see customer_name).
        "customer_name": "\n".join(
            cap(neutralise(line), NAME_CHARS)
            for line in customer_name(sender, language).split("\n")
        ),
        "promised_time": promise_phrase(promised, language, now),
        "signature": signature.strip("\n"),
        "subject": base_subject,
        "apology": APOLOGIES[language] if overdue else "",
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
