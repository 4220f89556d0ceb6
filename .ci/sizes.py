"""Module and function sizes of the package, measured with ``ast`` (issue 14's before/after).

    python .ci/sizes.py [PACKAGE_DIR]      # default: mailcheck/ beside this folder

Module size is the file's line count; function size runs from the ``def`` line to the last
line of its body (decorators left out), for every function and method, nested ones included.
Percentiles are nearest-rank. STYLE.md §11 asks for functions under about 40 lines and
modules under about 300.
"""

from __future__ import annotations

import ast
import math
import statistics
import sys
from pathlib import Path

LONG_FUNCTION = 40
LONG_MODULE = 300


def percentile(values: list[int], share: float) -> int:
    """The nearest-rank percentile of ``values`` (``share`` in 0..1)."""
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


def measure(package: Path) -> tuple[dict[str, int], dict[str, int]]:
    """Line counts of every module and of every function in ``package``, by name."""
    modules: dict[str, int] = {}
    functions: dict[str, int] = {}
    for path in sorted(package.rglob("*.py")):
        name = path.relative_to(package).as_posix()
        text = path.read_text(encoding="utf-8")
        modules[name] = len(text.splitlines())
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                size = (node.end_lineno or node.lineno) - node.lineno + 1
                functions[f"{name}:{node.lineno} {node.name}"] = size
    return modules, functions


def _line(kind: str, sizes: dict[str, int], limit: int) -> str:
    values = list(sizes.values())
    return (
        f"{kind}: {len(values)}  lines median {statistics.median(values):g}"
        f"  p90 {percentile(values, 0.9)}  max {max(values)}"
        f"  over {limit}: {sum(1 for v in values if v > limit)}"
    )


def main(argv: list[str]) -> int:
    """Print the figures for the package named in ``argv`` (or this repository's)."""
    default = Path(__file__).resolve().parent.parent / "mailcheck"
    package = Path(argv[0]) if argv else default
    modules, functions = measure(package)
    print(f"package: {package}")
    print(_line("modules", modules, LONG_MODULE))
    print(_line("functions", functions, LONG_FUNCTION))
    for sizes, limit in ((modules, LONG_MODULE), (functions, LONG_FUNCTION)):
        for name, size in sorted(sizes.items(), key=lambda item: -item[1]):
            if size > limit:
                print(f"  {size:4} {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
