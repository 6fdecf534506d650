"""The benchmark runs end to end: `benchmarks/bench.py --quick` on a small synthetic set prints
its table with every row and a number in every measured cell (or, for a row whose requirement
is missing, "skipped" and why), and its profile of the fast path. No timing is asserted.

And the baseline it measures against is fair: its cost and gradient equal ann.py's to the last
bit, and so do the previous (a1-taking) functions it keeps for the signature rows."""
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from conftest import ROOT, toy_images, write_csv

sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
import ann  # noqa: E402
import bench  # noqa: E402

ROWS = [
    "gradient (loop), per example",
    "gradient_vectorized, per example",
    "cost_function, per call",
    "gradient_vectorized, per call",
    "floor: a1 @ Theta1.T + delta2.T @ a1",
    "gradient_vectorized / floor",
    "figure: update + draw, per iteration",
    "  of which update(), baseline clf+rebuild",
    "  of which Screen.draw(), baseline draw()",
    "whole run, loop: first",
    "whole run, vectorized: first",
    "whole run, loop: 5 iterations",
    "whole run, vectorized: 5 iterations",
    "peak memory rise, whole run, loop",
    "peak memory rise, whole run, vectorized",
    "cost_function vs previous (a1), per call",
    "gradient (loop) vs previous (a1), per call",
    "looped run: first 3 its, vs previous (a1)",
    "  the same in CPU time (the verdict)",
    "fast path vs previous vectorized: 5 its",
    "ann.py training vs sklearn fit",
    "ann.py command vs sklearn fit + loading",
    "live window vs headless: training",
    "live window vs headless: whole command",
]
NO_BASELINE = ("floor:", "gradient_vectorized / floor")      # rows with nothing to compare to
WITH_TARGET = ("gradient (loop), per example", "gradient_vectorized / floor",
               "figure: update + draw", "whole run, loop: first", "whole run, vectorized: first",
               "  the same in CPU time", "ann.py training vs sklearn fit",
               "live window vs headless: training")
# rows whose requirement may be missing, and what they then say
MAY_SKIP = {"ann.py training vs sklearn fit": bench.SKLEARN_MISSING,
            "ann.py command vs sklearn fit + loading": bench.SKLEARN_MISSING,
            "live window vs headless: training": "skipped: ",
            "live window vs headless: whole command": "skipped: "}
# rows built on the training time ann.py prints (0.1 s steps): 5 iterations print 0.0 s
NO_RATIO_ON_TOY = ("ann.py training vs sklearn fit", "live window vs headless: training")
NUMBER = re.compile(r"^~?\d+(\.\d+)?$")
RATIO = re.compile(r"^\d+(\.\d+)? x (faster|slower|floor|previous|sklearn|headless)$")
PROFILE_PARTS = ["training (ann.train), of which:", "  forward passes", "  backward passes",
                 "  cost from the outputs", "  callback: test-set evaluation",
                 "  callback: printing the progress line", "  fmin_cg's own work",
                 "  loading the CSVs", "  start-up, imports, exit", "whole command (wall)"]


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
    assert "load average" in out and "live runs: " in out
    assert "data set A: given: train 90 x 64" in out
    lines = out.splitlines()
    for label in ROWS:
        found = [line for line in lines if line.startswith(label)]
        assert len(found) == 1, f"row {label!r} missing or repeated:\n{out}"
        cells = [cell.strip() for cell in found[0].split("|")]
        if label in MAY_SKIP and cells[1].startswith("skipped"):
            assert cells[1].startswith(MAY_SKIP[label]) and len(cells) == 2, (label, cells)
            continue
        ann_py, against, ratio = cells[1].split(None, 2)
        assert NUMBER.match(ann_py), (label, cells)
        if label.startswith(NO_BASELINE):
            assert against == "-", (label, cells)
        else:
            assert NUMBER.match(against), (label, cells)
        if label in NO_RATIO_ON_TOY:
            assert ratio == "-" or RATIO.match(ratio), (label, cells)
        elif not label.startswith("peak memory") and not label.startswith("floor:"):
            # a memory rise can be 0 (no ratio); a time never is
            assert RATIO.match(ratio), (label, cells)
        if label.startswith(WITH_TARGET):
            assert re.search(r"(NOT MET|MET|n/a)$", cells[2]), (label, cells)
    # the baseline and the previous functions match ann.py's to the last bit
    assert re.search(r"cost differs by 0\.0e\+00, gradient by 0\.0e\+00 .*today's: 0\.0e\+00",
                     out), out
    # the profile of the fast path, with its counts and its floor
    assert "where the fast path's time goes, data set A" in out
    for part in PROFILE_PARTS:
        assert any(line.startswith(part) for line in lines), (part, out)
    assert "counts per iteration (headless run): fmin_cg asked" in out
    assert "floor of this run:" in out
    assert "targets (" in out and "benchmark took" in out


@pytest.fixture
def small_network():
    """The article's network shape on 8 x 8 toy images, at the seed-917 weights."""
    y, pixels = toy_images(30, seed=1)
    X = pixels / 255.0
    sizes = (X.shape[1], 8, 3)
    return sizes, ann.initial_weights(*sizes, 917), X, y


def test_baseline_equals_ann_to_the_last_bit(small_network):
    sizes, theta, X, y = small_network
    for lmbda in (0.0, 1.0):
        assert bench.bl_cost(theta, *sizes, X, y, lmbda) == ann.cost_function(theta, *sizes, X,
                                                                               y, lmbda)
        baseline = bench.bl_gradient(theta, *sizes, X, y, lmbda)
        assert np.max(np.abs(baseline - ann.gradient(theta, *sizes, X, y, lmbda))) == 0.0


def test_baseline_computes_the_sigmoid_once_for_its_slope(monkeypatch):
    calls = []
    real = bench.bl_sigmoid
    monkeypatch.setattr(bench, "bl_sigmoid", lambda z: calls.append(1) or real(z))
    z = np.linspace(-3, 3, 7)
    slope = bench.bl_sigmoid_slope(z)
    assert len(calls) == 1
    assert np.array_equal(slope, ann.grad_g(z))


def test_previous_signatures_equal_todays(small_network):
    sizes, theta, X, y = small_network
    a1 = ann.add_bias(X)
    assert bench.prev_cost_function(theta, *sizes, a1, y, 1.0) == ann.cost_function(
        theta, *sizes, X, y, 1.0)
    assert np.array_equal(bench.prev_gradient(theta, *sizes, a1, y, 1.0),
                          ann.gradient(theta, *sizes, X, y, 1.0))
    assert np.array_equal(bench.prev_gradient_vectorized(theta, *sizes, a1, y, 1.0),
                          ann.gradient_vectorized(theta, *sizes, X, y, 1.0))


def test_a_row_skipped_everywhere_says_why_in_one_cell():
    rows = [bench.Row("cost_function, per call", "ms", 2.0, 4.0, 2.0, "x faster"),
            bench.Row("ann.py training vs sklearn fit", "s", skipped=bench.SKLEARN_MISSING)]
    lines = bench.table([("A", rows), ("B", rows)])
    skipped = [line for line in lines if line.startswith("ann.py training vs sklearn fit")]
    assert len(skipped) == 1
    assert [cell.strip() for cell in skipped[0].split("|")][1:] == [bench.SKLEARN_MISSING]


def test_no_display_and_no_xvfb_skips_the_live_rows(monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(bench.shutil, "which", lambda name: None)
    runner, why = bench.live_runner()
    assert runner is None and why.startswith("skipped: no display")
    monkeypatch.setattr(bench.shutil, "which", lambda name: "/usr/bin/" + name)
    assert bench.live_runner() == (["xvfb-run", "-a"], None)
    monkeypatch.setenv("DISPLAY", ":0")
    assert bench.live_runner() == ([], None)
