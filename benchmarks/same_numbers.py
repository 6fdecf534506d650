"""same_numbers.py: does a change move a printed digit? Runs `python ann.py OPTIONS` in this
working tree and in a commit of its history, on this machine, one BLAS thread each, and compares
what they print, line by line, timings aside. A refactor must print the same numbers: this
checks that without numbers stored for one machine (conjugate gradient follows round-off, so
each machine has its own, docs/round-off.md).

    python benchmarks/same_numbers.py HEAD                        # the default run (minutes)
    python benchmarks/same_numbers.py main --vectorized --validation 0.2
    python benchmarks/same_numbers.py HEAD~3 --data tutorial --vectorized --maxiter 100

Both runs read the same data: this tree's train.csv and test.csv, the options' --train and
--test, or for --data tutorial this tree's tutorial_data/. Exit status 0 when every line is the
same, 1 when one differs (the first few differences are shown), 2 when a run fails.
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


def same_data(options):
    """options, with the data both runs read made this tree's: its train.csv and test.csv unless
    --train or --test says otherwise, and for --data tutorial its tutorial_data/ (a commit's
    files have none, and would fetch them anew)."""
    if "--data" in options:
        at = options.index("--data")
        stored = [os.path.join(HERE, "tutorial_data", name) for name in ("train.csv", "test.csv")]
        if not all(map(os.path.exists, stored)):
            fail("--data tutorial: fetch the article's galaxies first, with "
                 "`python ann.py --data tutorial`, so that both runs read the same files")
        return options[:at] + ["--train", stored[0], "--test", stored[1]] + options[at + 2:]
    if {"--train", "--test"} & set(options):      # the runs start elsewhere: paths made whole
        return [os.path.abspath(value) if previous in ("--train", "--test", "--weights") else
                value for previous, value in zip([None, *options], options)]
    return ["--train", os.path.join(HERE, "train.csv"), "--test", os.path.join(HERE, "test.csv"),
            *options]


def printed(tree, options, folder):
    """What `python ann.py OPTIONS --no-plot` in `tree` prints, timings blanked, with its own
    outputs written in `folder`."""
    env = dict(os.environ, MPLBACKEND="agg", **ONE_THREAD)
    result = subprocess.run([sys.executable, os.path.join(tree, "ann.py"), *options,
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
    args, asked = p.parse_known_args(argv)
    options = same_data(asked)
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
        print(f"same: the {len(new)} lines `ann.py {' '.join(asked)}` prints are those of "
              f"{args.commit}, timings aside")
        return 0
    diff = list(difflib.unified_diff(old, new, args.commit, "working tree", n=0, lineterm=""))
    changed = sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in
                  difflib.SequenceMatcher(None, old, new).get_opcodes() if tag != "equal")
    print(f"different: {changed} of {len(new)} lines differ from {args.commit}; the first:")
    print("\n".join(diff[:14]))
    return 1


if __name__ == "__main__":
    sys.exit(main())
