"""File system failures as sentences a person can act on (no errno, no traceback)."""

from __future__ import annotations

import errno


def disk_problem(error: BaseException) -> str:
    """What went wrong reading or writing a file of Ippo's: a full disk, a read-only or
    foreign folder, or the error's own words. Works for OSError and sqlite3's errors (which
    carry no errno, only text)."""
    number = getattr(error, "errno", None)
    text = "" if number is not None else str(error).lower()  # never match words in a path
    if "full" in text or number in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return "the disk is full; free some space and try again"
    if "readonly" in text or number in (errno.EROFS, errno.EACCES, errno.EPERM):
        return "the folder is read-only or not yours; check its permissions"
    if "unable to open" in text:
        return "the file cannot be opened; check the folder's permissions"
    return getattr(error, "strerror", None) or str(error)
