"""Report the size of jaxlite's counted core (``_src/core.py`` + ``_src/interpreters/``).

The core should stay readable in one sitting (STYLE.md: aim under ~2,500 lines). Run by the test suite
(tests/test_core_size.py), which fails when the budget is exceeded.
"""
from __future__ import annotations

import pathlib
import sys

BUDGET = 2500
ROOT = pathlib.Path(__file__).resolve().parent.parent / "jaxlite" / "_src"


def core_files():
    return [ROOT / "core.py", *sorted((ROOT / "interpreters").glob("*.py"))]


def count(path: pathlib.Path) -> int:
    """Non-blank lines."""
    return sum(1 for line in path.read_text().splitlines() if line.strip())


def main() -> int:
    total = 0
    for f in core_files():
        n = count(f)
        total += n
        print(f"{n:6d}  {f.relative_to(ROOT.parent.parent)}")
    print(f"{total:6d}  total (budget {BUDGET})")
    return 0 if total <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
