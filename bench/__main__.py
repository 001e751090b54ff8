"""Run every benchmark, print one table and write bench-results/bench.json."""

from __future__ import annotations

import argparse
from pathlib import Path

from bench import frozen, guide_data, kiosk_ui, record, search_recall, speech, update_stall, updates
from bench.report import Figure, print_table, save


def main() -> None:
    parser = argparse.ArgumentParser(prog="make bench")
    parser.add_argument("--quick", action="store_true", help="smaller inputs, for a smoke run")
    parser.add_argument("--out", type=Path, default=Path("bench-results/bench.json"))
    args = parser.parse_args()
    figures: list[Figure] = []
    guide_data.run(figures, questions=200 if args.quick else 2000, search_count=200 if args.quick else 1000)
    search_recall.run(figures)
    kiosk_ui.run(figures, quick=args.quick)
    speech.run(figures, quick=args.quick)
    updates.run(figures, quick=args.quick)
    update_stall.run(figures, quick=args.quick)
    record.run(figures, quick=args.quick)
    frozen.run(figures, quick=args.quick)
    print_table(figures)
    save(figures, args.out)
    print(f"\nwritten to {args.out}")


if __name__ == "__main__":
    main()
