"""same_numbers.py: does a change move a printed digit? Runs `python ann.py OPTIONS` in this
working tree and in a commit of its history, on this machine, one BLAS thread each, and compares
what they print, line by line, timings aside. A refactor must print the same numbers: this
checks that without numbers stored for one machine (conjugate gradient follows round-off, so
each machine has its own, docs/round-off.md).

    python benchmarks/same_numbers.py HEAD                        # the default run (minutes)
    python benchmarks/same_numbers.py main --vectorized --validation 0.2
    python benchmarks/same_numbers.py HEAD~3 --data tutorial --vectorized --maxiter 100

Both runs read the same data: this tree's train.csv and test.csv (or the options' --train,
--test, --data). Exit status 0 when every line is the same, 1 when one differs (the first few
differences are shown), 2 when a run fails.
"""
import argparse
import difflib
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
TIMING = re.compile(r" in \d+(\.\d+)? s\b")          # "training ... in 12.3 s"


def fail(message):
    print(f"same_numbers.py: error: {message}", file=sys.stderr)
    sys.exit(2)


def printed(tree, options, folder):
    """What `python ann.py OPTIONS --no-plot` in `tree` prints, timings blanked, with its own
    outputs written in `folder`. The data default to this tree's, so that only code differs."""
    data = [] if {"--train", "--test", "--data"} & set(options) else [
        "--train", os.path.join(HERE, "train.csv"), "--test", os.path.join(HERE, "test.csv")]
    env = dict(os.environ, MPLBACKEND="agg", **ONE_THREAD)
    result = subprocess.run([sys.executable, os.path.join(tree, "ann.py"), *data, *options,
                             "--no-plot", "--save", "f.png"],
                            capture_output=True, text=True, env=env, cwd=folder)
    if result.returncode not in (0, 1):
        fail(f"the run in {tree} failed (exit {result.returncode}): "
             f"{(result.stderr.strip().splitlines() or [''])[-1]}")
    return [TIMING.sub(" in _ s", line) for line in result.stdout.splitlines()]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("commit", help="the commit to compare with (HEAD, main, a hash)")
    p.add_argument("--tree", default=HERE, help="the working tree to compare (default: this one)")
    args, options = p.parse_known_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        old_tree = os.path.join(folder, "old")
        os.mkdir(old_tree)
        archive = subprocess.run(["git", "-C", args.tree, "archive", args.commit],
                                 capture_output=True)
        if archive.returncode != 0:
            fail(f"git cannot give {args.commit!r}: {archive.stderr.decode().strip()}")
        subprocess.run(["tar", "-x", "-C", old_tree], input=archive.stdout, check=True)
        for name in ("old-run", "new-run"):
            os.mkdir(os.path.join(folder, name))
        old = printed(old_tree, options, os.path.join(folder, "old-run"))
        new = printed(args.tree, options, os.path.join(folder, "new-run"))
    if old == new:
        print(f"same: the {len(new)} lines `ann.py {' '.join(options)}` prints are those of "
              f"{args.commit}, timings aside")
        return 0
    diff = list(difflib.unified_diff(old, new, args.commit, "working tree", n=0, lineterm=""))
    changed = sum(a != b for a, b in zip(old, new)) + abs(len(old) - len(new))
    print(f"different: {changed} of {len(new)} lines differ from {args.commit}; the first:")
    print("\n".join(diff[:14]))
    return 1


if __name__ == "__main__":
    sys.exit(main())
