"""The benchmarks and the round-off tools run end to end: `bench.py --quick` on a small set prints
its table, each row a positive, finite ratio or "skipped" and why (no timing is asserted);
`same_numbers.py` and `kernels.py` say what they measured."""
import io
import math
import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, toy_images, write_csv

pytestmark = pytest.mark.full
RATIO = re.compile(r"(\S+) x (?:faster|slower|floor|headless|sklearn|more|less)$")


def test_quick_benchmark_prints_a_ratio_or_a_reason_in_every_row(tmp_path):
    train = write_csv(tmp_path / "train.csv", *toy_images(30, seed=1))
    test = write_csv(tmp_path / "test.csv", *toy_images(10, seed=2))
    done = subprocess.run([sys.executable, os.path.join(ROOT, "benchmarks", "bench.py"), "--quick",
                           "--no-tutorial", "--train", train, "--test", test],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    rule = next(i for i, line in enumerate(lines) if line and set(line) == {"-"})
    rows = lines[rule + 1:rule + 10]
    assert len(rows) == 9 and lines[rule + 10].startswith("took "), done.stdout
    for row in rows:
        cells = row.split(" | ")[1:]             # label and unit | the data set's cells
        assert len(cells) == 1, row
        skipped = re.search(r"skipped\W+\w+", cells[0])
        ratio = RATIO.search(cells[0])
        assert skipped or ratio, row
        if ratio:
            assert 0 < float(ratio.group(1)) < math.inf, row


# ---- the round-off tools (docs/round-off.md) ---------------------------------------------------

def test_same_numbers_finds_a_changed_digit_and_only_a_changed_one(tmp_path):
    """benchmarks/same_numbers.py runs ann.py in a working tree and in a commit of it: the same
    code prints the same lines (exit 0); a changed setting moves a printed digit (exit 1)."""
    tree = tmp_path / "tree"
    tree.mkdir()
    shutil.copy(os.path.join(ROOT, "ann.py"), tree)
    shutil.copytree(os.path.join(ROOT, "companions"), tree / "companions",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for command in (["init", "-q"], ["add", "-A"],
                    ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "t"]):
        subprocess.run(["git", "-C", tree, *command], check=True, capture_output=True)
    train = write_csv(tmp_path / "train.csv", *toy_images(30, seed=1))
    test = write_csv(tmp_path / "test.csv", *toy_images(10, seed=2))

    def compare():
        return subprocess.run([sys.executable, os.path.join(ROOT, "benchmarks", "same_numbers.py"),
                               "HEAD", "--tree", tree, "--train", train, "--test", test,
                               "--maxiter", "4"], capture_output=True, text=True, timeout=300)
    same = compare()
    assert same.returncode == 0 and same.stdout.startswith("same: the "), same.stdout + same.stderr
    source = (tree / "ann.py").read_text()
    (tree / "ann.py").write_text(source.replace("LMBDA = 1.0 ", "LMBDA = 1.5 ", 1))
    moved = compare()
    assert moved.returncode == 1 and moved.stdout.startswith("different: "), moved.stdout
    assert "-iter=  1:" in moved.stdout and "+iter=  1:" in moved.stdout


def test_kernels_measures_a_run_and_tells_a_misspelt_kernel_from_one_this_cpu_lacks():
    """benchmarks/kernels.py on the machine's own kernel: a row with the kept iteration and
    whether the lowest cost fell in the run's last tenth. A misspelt kernel is refused in one
    line with the name meant; a kernel the CPU cannot run (it would crash OpenBLAS) is refused
    as one this CPU lacks."""
    tool = os.path.join(ROOT, "benchmarks", "kernels.py")
    done = subprocess.run([sys.executable, tool, "--cases", "ours", "--kernels", "native",
                           "--threads", "1", "--maxiter", "3"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    row = next(line for line in done.stdout.splitlines() if line.startswith("| ours |"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells[:2] == ["ours", "vectorized"] and cells[3] == "1" and 0 <= int(cells[4]) <= 3
    refuse = lambda kernel: subprocess.run([sys.executable, tool, "--kernels", kernel],  # noqa
                                           capture_output=True, text=True, timeout=60)
    misspelt = refuse("Hasswell")
    assert misspelt.returncode == 2 and "no OpenBLAS kernel is called 'Hasswell' (did you " \
        "mean Haswell?)" in misspelt.stderr and "Traceback" not in misspelt.stderr
    with open("/proc/cpuinfo") if os.path.exists("/proc/cpuinfo") else io.StringIO() as f:
        flags = f.read()
    if " avx512f" not in flags:                  # SkylakeX's kernel needs AVX-512
        lacking = refuse("SkylakeX")
        assert lacking.returncode == 2 and "cannot run ['SkylakeX']" in lacking.stderr
