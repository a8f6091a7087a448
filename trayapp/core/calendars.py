"""Public holidays by country, from the `holidays` package (kept up to date as laws move
days: Japan moved three in 2019-2021). Pure lookups, cached per country and year."""

from __future__ import annotations

import functools
from datetime import date

from trayapp.core.said import Said, SaidError

# `holidays` is imported where it is used: it costs ~40 ms, and `ippo pending` with no
# holiday calendar set should not pay for it.


class UnknownCountry(SaidError, ValueError):
    pass


@functools.cache
def supported_countries() -> frozenset[str]:
    import holidays

    return frozenset(holidays.list_supported_countries())


def check_country(code: str) -> str:
    """The upper-case ISO 3166 code, or UnknownCountry."""
    upper = code.strip().upper()
    if upper not in supported_countries():
        raise UnknownCountry(
            Said("no public holidays known for {code!r} (use a code like jp or us)", code=code)
        )
    return upper


@functools.cache
def public_holidays(country: str, year: int, language: str | None = None) -> dict[date, str]:
    """The public holidays of `country` in `year`, by date (names in `language` when the
    package has them). Japan's include substitute (振替休日) and citizens' (国民の休日) days."""
    import holidays

    try:
        table = holidays.country_holidays(country, years=year, language=language)
    except NotImplementedError:
        raise UnknownCountry(
            Said("no public holidays known for {code!r} (use a code like jp or us)", code=country)
        ) from None
    return {day: str(name) for day, name in sorted(table.items())}


def is_public_holiday(country: str, day: date) -> bool:
    return day in public_holidays(country, day.year)
