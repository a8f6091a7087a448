"""PyInstaller entry point for every bundle: the same `ippo` command as the pip install."""

import sys

from trayapp.cli import main

if __name__ == "__main__":
    sys.exit(main())
