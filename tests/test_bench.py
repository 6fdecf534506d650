"""The benchmark runs end to end: `bench.py --quick` on a small set prints its table, each row a
positive, finite ratio or "skipped" and why. No timing is asserted."""
import math
import os
import re
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
