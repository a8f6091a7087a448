"""PyInstaller entry point for every bundle: the same `ippo` command as the pip install."""

import sys

from trayapp.cli import main


def run_as_interpreter(argv: list[str]) -> bool:
    """`ippo -c CODE ARGS...` inside a bundle behaves like `python -c CODE ARGS...`.

    In a bundle sys.executable is this program, not a Python: `ippo --demo` starts its IMAP
    server as `sys.executable -c "...pymap..."`, which lands here. Returns False (nothing run)
    unless frozen and asked; SystemExit from the code propagates like the interpreter's.
    """
    if not getattr(sys, "frozen", False) or len(argv) < 3 or argv[1] != "-c":
        return False
    code = argv[2]
    sys.argv = ["-c", *argv[3:]]
    exec(compile(code, "<string>", "exec"), {"__name__": "__main__"})
    return True


if __name__ == "__main__":
    if run_as_interpreter(sys.argv):
        sys.exit(0)
    sys.exit(main())
