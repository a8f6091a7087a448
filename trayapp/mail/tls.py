"""Verified TLS for every mail connection (IMAP and SMTP): the system's CAs plus an optional
CA file for self-hosted servers, hostname checked, TLS 1.2 or newer. Never unverified."""

from __future__ import annotations

import os
import re
import ssl
import threading

from trayapp.mail.errors import TLSFailure, describe

_HASHED_CERT_NAME = re.compile(r"^[0-9a-f]{8}\.[0-9]+$")


def _lazy_system_capath() -> str | None:
    """The system's hashed CA directory (OpenSSL reads from it only the CA a handshake needs),
    or None where there is none; then the whole bundle is loaded (about 35 ms of PEM parsing,
    a tenth of a status-bar run). An explicit SSL_CERT_FILE always wins."""
    paths = ssl.get_default_verify_paths()
    if os.environ.get(paths.openssl_cafile_env) or not paths.capath:
        return None
    try:
        with os.scandir(paths.capath) as entries:
            if any(_HASHED_CERT_NAME.match(entry.name) for entry in entries):
                return paths.capath
    except OSError:
        return None
    return None


# One context per CA setup, shared by every connection that uses it: building one loads the
# system trust (and the extra CA file) again, about 1 MB per connection kept open. An
# SSLContext is safe to share between threads once configured; nothing changes it later.
_Stamp = tuple[tuple[int, int, int] | None, tuple[int, int, int] | None]
_Key = tuple[str | None, str | None, str | None, bool]
_contexts: dict[_Key, tuple[_Stamp, ssl.SSLContext]] = {}
_contexts_lock = threading.Lock()


def verified_context(
    ca_file: str | None, *, host: str, port: int, system: bool = True
) -> ssl.SSLContext:
    """The system's trusted CAs plus ``ca_file``; hostname checked; TLS 1.2 or newer.
    ``system`` False (with a ``ca_file``): that file's CAs only, without parsing the system's
    trust store (a caller tries this first and falls back to the full context).

    Shared: the same context for every connection (IMAP or SMTP) with the same CA file,
    built again only when that file or the system bundle changes on disk, or
    SSL_CERT_FILE/SSL_CERT_DIR point elsewhere. (A hashed system CA directory is read
    lazily by OpenSSL: CAs added there are found without a new context.)"""
    paths = ssl.get_default_verify_paths()
    own_only = bool(ca_file) and not system
    key = (
        ca_file,
        None if own_only else os.environ.get(paths.openssl_cafile_env),
        None if own_only else os.environ.get(paths.openssl_capath_env),
        own_only,
    )
    stamp = (_file_stamp(ca_file), None if own_only else _file_stamp(paths.cafile))
    with _contexts_lock:
        cached = _contexts.get(key)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        context = _new_context(ca_file, host=host, port=port, system=not own_only)
        _contexts[key] = (stamp, context)
        return context


def _file_stamp(path: str | None) -> tuple[int, int, int] | None:
    """What tells a changed file apart; None for no file (a missing CA file then fails when
    the context is built, with its reason)."""
    if not path:
        return None
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size, info.st_ino)


def _new_context(ca_file: str | None, *, host: str, port: int, system: bool) -> ssl.SSLContext:
    context: ssl.SSLContext | None = None
    if system or not ca_file:
        capath = _lazy_system_capath()
        context = ssl.create_default_context(capath=capath) if capath else None
        context = context or ssl.create_default_context()
    if ca_file:
        try:
            if context is None:
                context = ssl.create_default_context(cafile=ca_file)  # that file's CAs only
            else:
                context.load_verify_locations(cafile=ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise TLSFailure(
                f"cannot use CA file {ca_file}: {describe(exc)}",
                host=host,
                port=port,
            ) from exc
    assert context is not None
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context
