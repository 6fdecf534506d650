"""kernels.py: how far a whole run of ann.py moves with the machine. Conjugate gradient follows
round-off, and round-off follows the BLAS kernel (the CPU's vector instructions) and the number
of BLAS threads. This runs the default run under each OpenBLAS kernel this CPU supports, forced
one at a time with OPENBLAS_CORETYPE, and under 1 and 2 threads, and prints what each kept,
where its lowest test cost fell and how far the cost rose after it (docs/round-off.md).

    pip install -r benchmarks/requirements.txt    # threadpoolctl: which kernel really ran
    python benchmarks/kernels.py                  # both data sets, vectorized: a few minutes
    python benchmarks/kernels.py --paths both --jobs 2      # the loop too: an hour
    python benchmarks/kernels.py --cases all --threads 1               # the tests' other runs
    python benchmarks/kernels.py --cases "article's" --kernels Haswell --maxiter 1000

Forcing a kernel belongs here alone: the tests and CI see the machine as a learner's is, and a
kernel that the CPU lacks crashes the run (this tool offers only those the CPU has).
"""
import argparse
import concurrent.futures
import datetime
import difflib
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TUTORIAL = os.path.normpath(os.path.join(ROOT, "..", "shared", "data", "galaxyzoo"))
sys.path.insert(0, os.path.join(ROOT, "tests"))
from runs import summary  # noqa: E402    a run's printed numbers, read as the tests read them
OURS = (os.path.join(ROOT, "train.csv"), os.path.join(ROOT, "test.csv"))
ARTICLES = (os.path.join(TUTORIAL, "train.csv"), os.path.join(TUTORIAL, "test.csv"))
# The runs the tests read: name -> (training CSV, test CSV, more options)
CASES = {
    "ours": (*OURS, ()),
    "article's": (*ARTICLES, ()),
    "ours --validation": (*OURS, ("--validation", "0.2")),
    "article's --validation": (*ARTICLES, ("--validation", "0.2")),
    "ours -> article's": (OURS[0], ARTICLES[1], ()),
    "article's -> ours": (ARTICLES[0], OURS[1], ()),
}
# OpenBLAS's x86-64 kernels, oldest first, each with the CPU flags it needs as Linux names them
# (pni: SSE3). Zen runs Haswell's code; Cooperlake and SapphireRapids, SkylakeX's for doubles.
KERNELS = (("Prescott", {"pni"}), ("Nehalem", {"sse4_2"}), ("Sandybridge", {"avx"}),
           ("Haswell", {"avx2", "fma"}), ("SkylakeX", {"avx512f"}))
# What threadpoolctl reports for a kernel forced by name, where it names the same code otherwise
SAME_CODE = {"Katmai": "Prescott"}
WHICH_KERNEL = ("import numpy, threadpoolctl; print(' '.join(i.get('architecture') or '?' for i "
                "in threadpoolctl.threadpool_info() if i['user_api'] == 'blas'))")


def cpu():
    """The CPU's model name and its flags (Linux), or the platform's word for it."""
    try:
        with open("/proc/cpuinfo") as f:
            text = f.read()
        model = re.search(r"^model name\s*:\s*(.*)$", text, re.M).group(1)
        return model.strip(), set(re.search(r"^flags\s*:\s*(.*)$", text, re.M).group(1).split())
    except (OSError, AttributeError):
        return platform.processor() or platform.machine(), set()


def supported_kernels(flags):
    """The kernels of KERNELS this CPU can run, by its flags: all but those it lacks."""
    return [name for name, needs in KERNELS if needs <= flags]


def kernel_in_use(env):
    """The kernel OpenBLAS picks under env, as threadpoolctl reports it ('?' where unknown)."""
    result = subprocess.run([sys.executable, "-c", WHICH_KERNEL], capture_output=True,
                            text=True, env=env)
    return result.stdout.strip() or "?"


def measure(case, path, kernel, threads, maxiter):
    """One whole run, `python ann.py --no-plot` on case's data, under kernel ('native': the
    one OpenBLAS picks itself) with `threads` BLAS threads: its summary(), the kernel that ran
    and its time."""
    train, test, more = CASES[case]
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "MPLBACKEND")}
    env.update({"OPENBLAS_NUM_THREADS": str(threads), "OMP_NUM_THREADS": str(threads),
                "MKL_NUM_THREADS": str(threads), "MPLBACKEND": "agg"})
    if kernel != "native":
        env["OPENBLAS_CORETYPE"] = kernel
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        result = subprocess.run(
            [sys.executable, os.path.join(ROOT, "ann.py"), "--train", train, "--test", test,
             *more, "--maxiter", str(maxiter), "--no-plot", "--save",
             os.path.join(folder, "f.png"), *(["--vectorized"] if path == "vectorized" else [])],
            capture_output=True, text=True, env=env)
        seconds = time.perf_counter() - start
    if result.returncode != 0:
        return dict(case=case, path=path, kernel=kernel, threads=threads,
                    error=(result.stderr.strip().splitlines() or ["no output"])[-1])
    figures = {k: v for k, v in summary(result.stdout).items() if not isinstance(v, list)}
    return dict(case=case, path=path, kernel=kernel, ran=kernel_in_use(env), threads=threads,
                seconds=round(seconds, 1), **figures)


def table(rows):
    """The measured runs as a Markdown table, one row a run."""
    lines = ["| data | gradient | kernel | threads | kept | lowest cost | kept train / test "
             "acc | final train cost | rise after the lowest | lowest in the last tenth | s |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['case']} | {r['path']} | {r['kernel']} | {r['threads']} | "
                         f"failed: {r['error']} |||||||")
            continue
        kernel = (f"native ({r['ran']})" if r["kernel"] == "native" else r["kernel"] if
                  SAME_CODE.get(r["ran"], r["ran"]) in (r["kernel"], "?") else
                  f"{r['kernel']} (ran {r['ran']})")
        lines.append(f"| {r['case']} | {r['path']} | {kernel} | {r['threads']} | {r['kept']} | "
                     f"{r['lowest']:.4f} | {r['kept_train']:.1f} / {r['kept_test']:.1f} % | "
                     f"{r['final_Jtrain']:.4f} | {r['rise']:+.3f} | "
                     f"{'**yes**' if r['in_last_tenth'] else 'no'} | {r['seconds']:.0f} |")
    return "\n".join(lines)


def envelope(rows):
    """Per data set, the range of each figure over the runs measured: what tests may assert."""
    ranges = {}
    for r in rows:
        if "error" in r:
            continue
        spans = ranges.setdefault(r["case"], {})
        for key in ("kept", "lowest", "kept_train", "kept_test", "final_Jtrain", "final_train",
                    "final_test", "rise"):
            low, high = spans.get(key, (r[key], r[key]))
            spans[key] = (min(low, r[key]), max(high, r[key]))
    return ranges


def counts(text):
    """'1,2' -> [1, 2]: whole numbers from 1 up, comma-separated (an option's type)."""
    try:
        values = [int(v) for v in text.split(",")]
    except ValueError:
        values = []
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"whole numbers from 1 up, comma-separated, not {text!r}")
    return values


def count(text):
    """A whole number from 1 up (an option's type)."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"a whole number from 1 up, not {text!r}")
    return int(text)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cases", default="ours,article's",
                   help=f"comma-separated, of: {', '.join(CASES)}; or 'all'")
    p.add_argument("--paths", default="vectorized", choices=("vectorized", "looped", "both"),
                   help="the gradient: vectorized (default), looped, or both")
    p.add_argument("--kernels", default="supported",
                   help="'supported' (every kernel the CPU has), 'native', or names")
    p.add_argument("--threads", default=[1, 2], type=counts, help="BLAS thread counts, "
                   "comma-separated (default 1,2)")
    p.add_argument("--maxiter", type=count, default=600)
    p.add_argument("--jobs", type=count, default=1, help="runs at once "
                   "(the numbers do not depend on it; the times do)")
    p.add_argument("--json", help="also write every run's numbers to this file")
    args = p.parse_args(argv)
    cases = list(CASES) if args.cases == "all" else args.cases.split(",")
    unknown = [c for c in cases if c not in CASES]
    if unknown:
        p.error(f"unknown data {unknown}: choose from {', '.join(CASES)}")
    if any("article's" in c for c in cases) and not os.path.isdir(TUTORIAL):
        p.error(f"the article's galaxies are not at {TUTORIAL}")
    supported = supported_kernels(cpu()[1])
    named = {name.lower(): name for name, _ in KERNELS} | {"zen": "Haswell"}   # Zen: Haswell's
    kernels = {"supported": supported, "native": ["native"]}.get(
        args.kernels, [named.get(k.lower(), k) for k in args.kernels.split(",")])
    unknown = [k for k in kernels if k != "native" and k.lower() not in named]
    if unknown:
        close = difflib.get_close_matches(unknown[0].lower(), list(named), n=1)
        p.error(f"no OpenBLAS kernel is called {unknown[0]!r}"
                + (f" (did you mean {named[close[0]]}?)" if close else "")
                + f"; the kernels: {', '.join(name for name, _ in KERNELS)}")
    lacking = [k for k in kernels if k != "native" and k not in supported]
    if lacking:
        p.error(f"this CPU cannot run {lacking} (it would crash OpenBLAS); it can run "
                f"{supported}")
    args.cases, args.kernels = cases, kernels
    args.paths = ["vectorized", "looped"] if args.paths == "both" else [args.paths]
    return args


def main(argv=None):
    args = parse_args(argv)
    model = cpu()[0]
    cases, kernels = args.cases, args.kernels
    runs = [(case, path, kernel, threads) for case in cases for path in args.paths
            for kernel in kernels for threads in args.threads]
    print(f"kernels.py: {datetime.date.today()}, {model}, {os.cpu_count()} cores; "
          f"native kernel {kernel_in_use(dict(os.environ))}; {len(runs)} runs of "
          f"{args.maxiter} iterations, {args.jobs} at once", flush=True)
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = [pool.submit(measure, *run, args.maxiter) for run in runs]
        rows = []
        for future in futures:
            rows.append(future.result())
            print(table(rows[-1:]).splitlines()[-1], flush=True)
    print()
    print(table(rows))
    print("\nranges over these runs:")
    for case, spans in envelope(rows).items():
        print(f"  {case}: " + ", ".join(f"{key} {low:g}..{high:g}"
                                        for key, (low, high) in spans.items()))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(dict(date=str(datetime.date.today()), cpu=model, maxiter=args.maxiter,
                           runs=rows), f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
