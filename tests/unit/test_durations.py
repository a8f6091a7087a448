"""Durations in words: '27h 17m' in English, '27時間17分' in Japanese, no decimals anywhere."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trayapp.core.durations import (
    ENGLISH,
    JAPANESE,
    DurationWords,
    format_duration,
    format_hours,
    parse_hours,
)
from trayapp.core.stages import format_time_left


@pytest.mark.parametrize(
    ("length", "fine", "english", "japanese"),
    [
        (timedelta(hours=27, minutes=17), True, "27h 17m", "27時間17分"),
        (timedelta(hours=27, minutes=17), False, "27h", "27時間"),
        (timedelta(hours=6), True, "6h 00m", "6時間0分"),
        (timedelta(hours=3, minutes=5), True, "3h 05m", "3時間5分"),
        (timedelta(minutes=45), True, "45m", "45分"),
        (timedelta(seconds=20), False, "1m", "1分"),
        (timedelta(0), False, "0m", "0分"),
        (timedelta(days=3, hours=4), True, "3d 4h", "3日4時間"),
        (timedelta(days=3, hours=4), False, "3d", "3日"),
        (-timedelta(hours=6, minutes=30), False, "6h", "6時間"),  # the sign is the caller's
    ],
)
def test_words_per_language(length: timedelta, fine: bool, english: str, japanese: str) -> None:
    assert format_duration(length, ENGLISH, fine=fine) == english
    assert format_duration(length, JAPANESE, fine=fine) == japanese


@given(st.integers(min_value=-90 * 86400, max_value=90 * 86400))
def test_coarse_english_reads_like_the_badge(seconds: int) -> None:
    length = timedelta(seconds=seconds)
    assert format_duration(length) == format_time_left(abs(length))


@given(st.integers(min_value=0, max_value=90 * 86400), st.booleans())
def test_japanese_never_has_latin_units_or_decimals(seconds: int, fine: bool) -> None:
    text = format_duration(timedelta(seconds=seconds), JAPANESE, fine=fine)
    assert not any(c in text for c in "hmd.") and text[-1] in "日間分"


def test_a_broken_translation_still_says_the_numbers() -> None:
    broken = DurationWords(hours_minutes="{hours}時間{m}分")
    assert format_duration(timedelta(hours=2, minutes=5), broken, fine=True) == "2h 5m"


@pytest.mark.parametrize(
    ("hours", "english", "japanese"),
    [
        (4.0, "4h", "4時間"),
        (4.5, "4h 30m", "4時間30分"),
        (0.25, "15m", "15分"),
        (24, "24h", "24時間"),
    ],
)
def test_settings_values_have_no_decimals(hours: float, english: str, japanese: str) -> None:
    assert format_hours(hours) == english
    assert format_hours(hours, JAPANESE) == japanese


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("4", 4.0),
        ("4.5", 4.5),
        ("4h 30m", 4.5),
        ("4時間30分", 4.5),
        ("90分", 1.5),
        ("2d", 48.0),
        ("４時間", 4.0),
        ("30 min", 0.5),
        ("1h30", 1.5),
        ("2 days", 48.0),
        ("", None),
        ("abc", None),
        ("4h x", None),
        ("-4", None),
    ],
)
def test_typed_durations(text: str, hours: float | None) -> None:
    assert parse_hours(text) == hours


@given(st.integers(min_value=1, max_value=14 * 24 * 60), st.sampled_from([ENGLISH, JAPANESE]))
def test_what_is_shown_reads_back_as_the_same_value(minutes: int, words: DurationWords) -> None:
    assert parse_hours(format_hours(minutes / 60, words)) == pytest.approx(minutes / 60)
