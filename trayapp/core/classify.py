"""Placeholder."""
from trayapp.core.model import MessageHeaders


def non_inquiry_reason(headers: MessageHeaders, own_addresses: frozenset[str]) -> str | None:
    raise NotImplementedError
