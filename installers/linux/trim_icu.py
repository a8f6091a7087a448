"""Rebuild Qt's ICU data library with only the locales Ippo ships (ja, en).

PySide6's libQt6Core links ICU, whose data library (libicudata.so.NN) carries every
locale, collation, time-zone name and legacy codec of the world: ~31 MB of a ~130 MB
bundle. Ippo's UI is Japanese and English (mail decoding happens in Python), so we keep
root + en* + ja* bundles, every non-locale table (Unicode data, collation base, break
rules and dictionaries, time zones, plurals) and the Japanese codecs, and drop the rest:
~31 MB -> ~9 MB with identical ja/en formatting, collation and zone names
(tests/integration/test_installers.py compares them against the full library).

    python installers/linux/trim_icu.py LIBICUDATA OUT_DIR   -> OUT_DIR/libicudata.so.NN

Needs Debian icu-devtools (icupkg, genccode) and gcc. Linux/ELF only.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

LOCALE_DIRS = ("brkitr", "coll", "curr", "lang", "region", "unit", "zone", "rbnf")
KEPT_LOCALE = re.compile(r"^(root|en|en_.*|ja|ja_.*|pool|res_index)\.res$")
LOCALE_BUNDLE = re.compile(r"^[a-z]{2,3}(_[A-Za-z0-9]+)*\.res$")
JAPANESE_CODECS = {
    "ibm-943_P15A-2003.cnv",  # Shift_JIS / windows-31j
    "ibm-943_P130-1999.cnv",
    "ibm-942_P12A-1999.cnv",
    "ibm-33722_P12A_P12A-2009_U2.cnv",  # EUC-JP
    "ibm-954_P101-2007.cnv",
    "euc-jp-2007.cnv",
    "jisx-212.cnv",  # ISO-2022-JP
}


def items_to_remove(items: list[str]) -> list[str]:
    """Package item names (dir/name) that only serve other languages."""
    remove: list[str] = []
    for item in items:
        folder, _, name = item.rpartition("/")
        if name.endswith(".cnv"):
            if name not in JAPANESE_CODECS:
                remove.append(item)
        elif not name.endswith(".res"):
            continue  # Unicode/collation/break data every locale needs
        elif (
            folder in LOCALE_DIRS or (folder == "" and LOCALE_BUNDLE.match(name))
        ) and not KEPT_LOCALE.match(name):
            remove.append(item)
    return remove


def _elf_symbol_bytes(lib: Path) -> tuple[str, bytes]:
    """The ICU common-data blob: exported symbol icudtNN_dat in .rodata."""
    symbols = subprocess.run(
        ["nm", "-D", "--defined-only", "-S", str(lib)], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(r"^([0-9a-f]+) ([0-9a-f]+) R (icudt\d+_dat)$", symbols, re.MULTILINE)
    if not match:
        raise SystemExit(f"{lib}: no icudtNN_dat symbol")
    address, size, name = int(match.group(1), 16), int(match.group(2), 16), match.group(3)
    sections = subprocess.run(
        ["readelf", "-S", "-W", str(lib)], capture_output=True, text=True, check=True
    ).stdout
    for line in sections.splitlines():
        fields = line.replace("[ ", "[").split()
        if len(fields) > 5 and fields[1] == ".rodata":
            section_address, section_offset = int(fields[3], 16), int(fields[4], 16)
            offset = address - section_address + section_offset
            return name, lib.read_bytes()[offset : offset + size]
    raise SystemExit(f"{lib}: no .rodata section")


def trim(lib: Path, out_dir: Path) -> Path:
    for tool in ("icupkg", "genccode", "gcc", "nm", "readelf"):
        if not shutil.which(tool):
            raise SystemExit(f"trim_icu: {tool} not found (Debian: icu-devtools, gcc, binutils)")
    symbol, blob = _elf_symbol_bytes(lib)
    entry = symbol.removesuffix("_dat")  # icudt73
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        package = tmp / f"{entry}l.dat"  # the package name must match the file name
        package.write_bytes(blob)
        listing = subprocess.run(
            ["icupkg", "-l", str(package)], capture_output=True, text=True, check=True
        ).stdout.split()
        remove_list = tmp / "remove.txt"
        remove_list.write_text("\n".join(items_to_remove(listing)) + "\n")
        # icupkg refuses (non-zero) if a kept item depends on a removed one.
        subprocess.run(["icupkg", "-r", str(remove_list), str(package)], check=True)
        subprocess.run(
            ["genccode", "-a", "gcc", "-e", entry, "-d", str(tmp), str(package)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        assembly = next(tmp.glob("*.S"))
        target = out_dir / lib.name
        soname = re.sub(r"^(libicudata\.so\.\d+).*$", r"\1", lib.name)
        subprocess.run(
            [
                "gcc",
                "-shared",
                "-nostdlib",
                f"-Wl,-soname,{soname}",
                "-o",
                str(target),
                str(assembly),
            ],
            check=True,
        )
    return target


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    target = trim(Path(argv[0]), Path(argv[1]))
    before, after = Path(argv[0]).stat().st_size, target.stat().st_size
    print(f"{target}: {before / 2**20:.1f} MiB -> {after / 2**20:.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
