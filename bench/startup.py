"""Start-up: seconds from ``cc-pipeline serve`` until the Dagster UI answers with the project's
definitions loaded (what a user waits for after ``make run``), over a few cold starts."""

from __future__ import annotations

import argparse
import statistics

from bench.serving import serve, wait_for_ui


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    seconds = []
    for attempt in range(1, args.repeat + 1):
        with serve() as serving:
            seconds.append(wait_for_ui(serving))
        print(f"start {attempt}: UI usable after {seconds[-1]:.1f}s", flush=True)
    print(
        f"cc-pipeline serve -> usable UI: median {statistics.median(seconds):.1f}s, "
        f"max {max(seconds):.1f}s over {len(seconds)} start(s)"
    )


if __name__ == "__main__":
    main()
