"""Report sizes: each policy report (the goal: under 400 KB with its charts inlined), review report and
dashboard of a reports folder, written to ``benchmarks/report_sizes.md`` and ``.json``.

usage: report_sizes.py [REPORTS] [--baseline OLD_REPORTS]   (default: reports/; a baseline adds a "before" column)
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL = 400_000


def sizes(reports: Path) -> dict[str, int]:
    """Bytes of every report page under ``reports``, by path relative to it."""
    pages = [reports / "index.html", *sorted(reports.glob("*/index.html")), *sorted(reports.glob("*/policy/*.html")),
             *sorted(reports.glob("*/review/*.html"))]
    return {p.relative_to(reports).as_posix(): p.stat().st_size for p in pages if p.exists()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reports", nargs="?", type=Path, default=ROOT / "reports")
    parser.add_argument("--baseline", type=Path, help="an older reports folder to compare with")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "report_sizes")
    args = parser.parse_args(argv)
    now = sizes(args.reports)
    before = sizes(args.baseline) if args.baseline else {}
    lines = ["# Report sizes", "", f"Goal: each policy report under {GOAL // 1000} KB with its charts.", "",
             "| page | " + ("before (KB) | " if before else "") + "now (KB) | policy goal |",
             "|---|" + ("---:|" if before else "") + "---:|---|"]
    for page, size in now.items():
        goal = ("met" if size < GOAL else "MISSED") if "/policy/" in page else ""
        old = f"{before[page] / 1000:.0f} | " if page in before else ("– | " if before else "")
        lines.append(f"| `{page}` | {old}{size / 1000:.0f} | {goal} |")
    policy = [s for p, s in now.items() if "/policy/" in p]
    if policy:
        lines += ["", f"Policy reports: {len(policy)}, largest {max(policy) / 1000:.0f} KB, "
                      f"{sum(s < GOAL for s in policy)} of {len(policy)} under the goal."]
    args.out.with_suffix(".md").write_text("\n".join(lines) + "\n")
    args.out.with_suffix(".json").write_text(json.dumps({"goal_bytes": GOAL, "now": now, "before": before},
                                                        indent=1, sort_keys=True) + "\n")
    print("\n".join(lines))
    return 0 if all(s < GOAL for s in policy) else 1


if __name__ == "__main__":
    raise SystemExit(main())
