"""Do the lab's verdicts depend on the seed, and do the quick and full profiles agree?

Run by hand (the full profile is too slow for CI)::

    python -m benchmarks.seed_stability                      # seeds 0-4, both profiles
    python -m benchmarks.seed_stability --seeds 0-4 --jobs 2 --dask-local 0

It runs every claim on each seed of both profiles (with the lab's own runner, so the units are
cached in ``--work`` and an interrupted run resumes), then writes
``benchmarks/SEED_STABILITY.md``: per claim the status on each seed in each profile, whether
the full profile is seed-stable, and whether the quick profile reaches the same conclusion
there. It exits 1 when a claim that is seed-stable in the full profile is not in the quick
one, or reaches another verdict.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    from gradlab.lab import runner
    from gradlab.lab.across_seeds import parse_seeds
    from gradlab.lab.executors import make_executor

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0-4")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--dask-local", type=int, default=None)
    parser.add_argument("--work", type=Path, default=Path("/tmp/gradlab-seed-stability"))
    parser.add_argument("--out", type=Path, default=HERE / "SEED_STABILITY.md")
    parser.add_argument("--only", default=None, help="claim ids (default: all)")
    args = parser.parse_args(argv)
    seeds = parse_seeds(args.seeds)
    ids = runner.select(args.only)
    runs, seconds = {}, {}
    with make_executor(jobs=args.jobs, dask_local=args.dask_local) as executor:
        for profile in ("quick", "full"):
            start = time.perf_counter()
            payload = runner.run_claims(
                ids,
                profile=profile,
                seeds=seeds,
                out=args.work / profile,
                executor=executor,
                resume=True,
                on_done=lambda r, p=profile: print(
                    f"{p:5} {r['id']:>4} seed {r['seed']}: {r['verdict']}", flush=True
                ),
            )
            seconds[profile] = time.perf_counter() - start
            runs[profile] = {c["id"]: c for c in payload["claims"]}
        where = executor.describe()
    lines = [
        "# Seed stability of the lab's verdicts",
        "",
        f"`python -m benchmarks.seed_stability --seeds {args.seeds}` on "
        f"{datetime.now(UTC):%Y-%m-%d} ({platform.platform()}, {where}); quick "
        f"{seconds['quick']:.0f} s, full {seconds['full']:.0f} s (units already cached are "
        "reused, so a resumed run is faster).",
        "",
        "A claim is *seed-stable* in a profile when every seed gives the same status. Where the "
        "full profile is seed-stable, the quick profile must be too and reach the same status.",
        "",
        "| claim | quick, per seed | full, per seed | full seed-stable | quick agrees |",
        "|---|---|---|---|---|",
    ]
    failures = []
    for claim_id in ids:
        quick = [r["verdict"] for r in runs["quick"][claim_id]["per_seed"]]
        full = [r["verdict"] for r in runs["full"][claim_id]["per_seed"]]
        stable = len(set(full)) == 1
        agrees = len(set(quick)) == 1 and quick[0] == full[0] if stable else None
        if stable and not agrees:
            failures.append(claim_id)
        mark = "—" if agrees is None else ("yes" if agrees else "**no**")
        lines.append(
            f"| {claim_id} | {', '.join(quick)} | {', '.join(full)} | "
            f"{'yes' if stable else '**no**'} | {mark} |"
        )
    lines += [
        "",
        f"Claims where quick and full disagree although full is seed-stable: "
        f"{', '.join(failures) if failures else 'none'}.",
        "",
    ]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {args.out}; disagreements: {failures or 'none'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
