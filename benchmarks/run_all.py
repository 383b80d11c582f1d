"""Run every benchmark of issues 3-6 and print one table: python benchmarks/run_all.py [options]

Options are those of each benchmark (``--quick``, ``--repeat``, ``--min-time``, ``--stat``,
``--no-jax``, ``--no-numpy``, ``--blas-threads``, ``-k``); ``--markdown`` prints the table as Markdown
(for benchmarks/README.md). bench_random.py is separate: python benchmarks/bench_random.py
"""
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import common  # noqa: E402


def all_cases():
    import bench_ad
    import bench_control_flow
    import bench_core
    import bench_vmap
    cases = []
    for mod in (bench_core, bench_ad, bench_vmap, bench_control_flow):
        cases.extend(mod.cases())
    return cases


def markdown(rows):
    out = ["| case | jaxlite | JAX | NumPy | jaxlite/JAX | target | jaxlite/NumPy |",
           "|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        if r.skip:
            out.append(f"| {r.name} | skipped: {r.skip} | | | | | |")
            continue
        ratio = r.ratio("jaxlite", "jax")
        tgt = "-" if r.target is None else f"<= {r.target:g}x"
        if r.target is not None and ratio is not None:
            tgt += " ok" if ratio <= r.target else " missed"
        out.append(f"| {r.name} | {common._fmt_time(r.times.get('jaxlite'))} | "
                   f"{common._fmt_time(r.times.get('jax'))} | {common._fmt_time(r.times.get('numpy'))} | "
                   f"{common._fmt_ratio(ratio)} | {tgt} | "
                   f"{common._fmt_ratio(r.ratio('jaxlite', 'numpy'))} |")
    return "\n".join(out)


def main(argv=None):
    p = common.parser(__doc__)
    p.add_argument("--markdown", action="store_true", help="print the table as Markdown as well")
    args = p.parse_args(argv)
    if args.quick:
        args.repeat, args.min_time = 5, 0.005
    print(common.limit_blas_threads(args.blas_threads), "|", common.machine_info(not args.no_jax))
    rows = common.run(all_cases(), args)
    common.print_table(rows)
    if args.markdown:
        print()
        print(markdown(rows))
    return rows


if __name__ == "__main__":
    main()
