"""The benchmark runs end to end: `benchmarks/bench.py --quick` on a small synthetic set prints
its table with every row and a number in every measured cell. No timing is asserted."""
import os
import re
import subprocess
import sys

from conftest import ROOT, toy_images, write_csv

ROWS = [
    "gradient (loop), per example",
    "gradient_vectorized, per example",
    "cost_function, per call",
    "gradient_vectorized, per call",
    "floor: a1 @ Theta1.T + delta2.T @ a1",
    "gradient_vectorized / floor",
    "figure: update + draw, per iteration",
    "  of which update(), baseline clf+rebuild",
    "  of which draw:",
    "whole run, loop: first",
    "whole run, vectorized: first",
    "whole run, loop: 5 iterations",
    "whole run, vectorized: 5 iterations",
    "peak memory rise, whole run, loop",
    "peak memory rise, whole run, vectorized",
]
NO_BASELINE = ("floor:", "gradient_vectorized / floor")      # rows with no baseline counterpart
WITH_TARGET = ("gradient (loop), per example", "gradient_vectorized / floor",
               "figure: update + draw", "whole run, loop: first", "whole run, vectorized: first")
NUMBER = re.compile(r"^~?\d+(\.\d+)?$")


def test_quick_benchmark_prints_every_row_with_numbers(tmp_path):
    train = write_csv(tmp_path / "train.csv", *toy_images(30, seed=1))
    test = write_csv(tmp_path / "test.csv", *toy_images(10, seed=2))
    env = dict(os.environ, MPLBACKEND="agg")
    done = subprocess.run(
        [sys.executable, os.path.join(ROOT, "benchmarks", "bench.py"), "--quick",
         "--maxiter", "5", "--train", train, "--test", test, "--no-tutorial"],
        capture_output=True, text=True, timeout=240, env=env, cwd=str(tmp_path))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "machine:" in out and "cores" in out and "numpy" in out and "BLAS:" in out
    assert "data set A: given: train 90 x 64" in out
    lines = out.splitlines()
    for label in ROWS:
        found = [line for line in lines if line.startswith(label)]
        assert len(found) == 1, f"row {label!r} missing or repeated:\n{out}"
        cells = [cell.strip() for cell in found[0].split("|")]
        ann_py, baseline, ratio = cells[1].split(None, 2)
        assert NUMBER.match(ann_py), (label, cells)
        if label.startswith(NO_BASELINE):
            assert baseline == "-", (label, cells)
        else:
            assert NUMBER.match(baseline), (label, cells)
        if not label.startswith("peak memory") and not label.startswith("floor:"):
            # a memory rise can be 0 (no ratio); a time never is
            assert re.match(r"^\d+(\.\d+)? x (faster|slower|floor)$", ratio), (label, cells)
        if label.startswith(WITH_TARGET):
            assert re.search(r"(NOT MET|MET)$", cells[2]), (label, cells)
    assert "targets (" in out and "benchmark took" in out
