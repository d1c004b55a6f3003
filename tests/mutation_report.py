"""Scores of the last ``make mutation`` run, one line per mutated module.

mutmut keeps each mutant's result in ``mutants/<module>.py.meta`` (the exit code of its tests):
killed counts the mutants the tests caught (a failure, a timeout or a crash), the score is
killed / (killed + survived + no tests). Run from the repository root.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

#: mutmut's exit codes: 0 survived, 5 and 33 no test calls the function, None not run yet,
#: 34 skipped; a failing test (1, 3), a timeout (36, SIGXCPU) or a crash counts as killed.
SURVIVED, NO_TESTS, NOT_RUN, SKIPPED = {0}, {5, 33}, {None}, {34}


def status(code: int | None) -> str:
    for name, codes in (("survived", SURVIVED), ("no tests", NO_TESTS), ("not run", NOT_RUN),
                        ("skipped", SKIPPED)):
        if code in codes:
            return name
    return "killed"


def main(root: Path = Path("mutants")) -> int:
    metas = sorted(root.rglob("*.py.meta"))
    if not metas:
        print("no mutation results: run make mutation first", file=sys.stderr)
        return 1
    print(f"{'module':32} {'mutants':>7} {'killed':>6} {'survived':>8} {'no tests':>8} "
          f"{'not run':>7} {'score':>6}")
    for meta in metas:
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        n = Counter(status(c) for c in codes.values())
        judged = n["killed"] + n["survived"] + n["no tests"]
        score = f"{100 * n['killed'] / judged:.0f}%" if judged else "-"
        module = str(meta.relative_to(root))[: -len(".meta")]
        print(f"{module:32} {len(codes):7} {n['killed']:6} {n['survived']:8} {n['no tests']:8} "
              f"{n['not run']:7} {score:>6}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
