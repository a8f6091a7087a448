"""PySide6, imported without its per-import source scan. Import this before anything else
that imports PySide6 (trayapp.app does, first).

PySide6 replaces builtins.__import__ with a hook (`__feature_import__`) that, for every
module imported after Qt, reads the module's whole source with inspect.getsource to see
whether it mentions PySide6 -- bookkeeping for `from __feature__ import snake_case`, which
Ippo never uses. The sources stay in linecache and the tokens around them fragment the
heap: measured, the tray app imports ~200 modules after Qt and kept ~7 MB more resident
memory for it. Putting back the interpreter's own import (which PySide keeps in
builtins.__orig_import__) skips only that scan; PySide itself then installs its lighter
lazy-type import hook as it does whenever the feature hook is not in place.
"""

from __future__ import annotations

import builtins

import PySide6.QtCore  # noqa: F401  (installs the hook)

FEATURE_HOOK = "__feature_import__"


def drop_feature_import_hook() -> bool:
    """Restore the interpreter's import if PySide's feature hook is the one in place (never
    someone else's hook). True when it was dropped."""
    original = getattr(builtins, "__orig_import__", None)
    current = builtins.__import__
    if original is None or current is original:
        return False
    if getattr(current, "__name__", "") != FEATURE_HOOK:
        return False
    builtins.__import__ = original
    return True


drop_feature_import_hook()
