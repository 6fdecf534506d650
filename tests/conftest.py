"""Shared test set-up: the two tiers, what may be missing, small data, and how to run ann.py.

Two tiers, as SciPy and NumPy have them. The default, `python -m pytest -q -rs`, is what a
learner who just changed `gradient` runs: every claim a change to ann.py or a companion can
break, at small scale, in under a minute. `python -m pytest --full` adds the full tier (tests
marked `full`): whole 600-iteration runs, the regenerated galaxies, the sweep, a real window
under xvfb, a Jupyter kernel, the download's faults, the long fuzz, the benchmark. CI runs both.

A test that needs the tutorial's data (../shared/data/galaxyzoo) or xvfb-run skips where they
are missing and says so; in CI (the CI variable set) it fails instead, so that CI cannot pass
by skipping what matters most.
"""
import functools
import os
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TUTORIAL = os.path.join(ROOT, "..", "shared", "data", "galaxyzoo")
for path in (ROOT, os.path.join(ROOT, "benchmarks")):
    if path not in sys.path:
        sys.path.insert(0, path)
os.environ.setdefault("MPLBACKEND", "agg")     # tests draw off-screen unless they ask otherwise
IN_CI = bool(os.environ.get("CI"))
# Full runs use one BLAS thread: a BLAS splits its sums differently with more threads, and the
# conjugate gradient run follows round-off, so the path would depend on the machine's cores.
ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

full = pytest.mark.full
# A full 600-iteration run whose exact path follows the BLAS build's round-off (conjugate
# gradient amplifies the last bit): its pins hold for the numpy CI installs, not for every numpy
# allowed. CI's oldest-versions job leaves them out.
roundoff = pytest.mark.roundoff


def pytest_addoption(parser):
    parser.addoption("--full", action="store_true",
                     help="also run the full tier (the tests marked full): long runs, "
                          "regeneration, windows, kernels, faults; CI runs it")


def pytest_configure(config):
    config.addinivalue_line("markers", "full: the full tier, run with --full (and in CI)")
    config.addinivalue_line("markers", "needs(present, what): skips where `what` is missing")
    config.addinivalue_line("markers", "roundoff: a full run pinned to one BLAS build's "
                            "round-off (left out with the oldest versions)")


def pytest_collection_modifyitems(config, items):
    """Without --full, the full tier is deselected: not run, not reported as skipped. A test
    whose `needs` are missing skips, saying what it needs (in CI, _needed fails it)."""
    for item in items:
        for mark in item.iter_markers("needs"):
            if not mark.kwargs["present"] and not IN_CI:
                item.add_marker(pytest.mark.skip(reason=f"needs {mark.kwargs['what']}; CI "
                                                        "runs it"))
    if not config.getoption("--full"):
        left_out = [item for item in items if "full" in item.keywords]
        if left_out:
            config.hook.pytest_deselected(items=left_out)
            items[:] = [item for item in items if "full" not in item.keywords]
            config.full_tier_left_out = len(left_out)


def pytest_terminal_summary(terminalreporter, config):
    left_out = getattr(config, "full_tier_left_out", 0)
    if left_out:
        terminalreporter.write_line(f"the full tier ({left_out} tests) was left out: "
                                    "`python -m pytest --full` runs it, as CI does")


def needs(present, what):
    """A mark for a test that needs `what`: where it is missing, the test skips and says what
    it needs; in CI it fails instead (_needed)."""
    return pytest.mark.needs(present=present, what=what)


@pytest.fixture(autouse=True)
def _needed(request):
    for mark in request.node.iter_markers("needs"):
        if not mark.kwargs["present"] and IN_CI:
            pytest.fail(f"{mark.kwargs['what']} is missing, and CI must run this test")


needs_tutorial_data = needs(os.path.isdir(TUTORIAL),
                            "the tutorial's data (../shared/data/galaxyzoo)")
needs_xvfb = needs(shutil.which("xvfb-run") is not None, "xvfb-run (Debian's xvfb)")
# POSIX signals and file modes: Windows has neither in this form
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals or file modes")


def write_csv(path, y, pixels):
    """Rows of label, pixels (0..255 integers) in the project's format."""
    with open(path, "w") as f:
        for label, row in zip(y, pixels):
            f.write(",".join(str(int(v)) for v in [label, *row]) + "\n")
    return str(path)


def toy_images(count_per_class, side=8, seed=0):
    """Small inverted images, three classes told apart by where the dark blob sits."""
    rng = np.random.RandomState(seed)
    yy, xx = np.mgrid[0:side, 0:side]
    centres = [(side / 2, side / 2), (side / 4, side / 4), (3 * side / 4, side / 4)]
    y, images = [], []
    for k, (cy, cx) in enumerate(centres):
        for _ in range(count_per_class):
            dy, dx = rng.normal(0, 0.7, 2)
            blob = np.exp(-((yy - cy - dy) ** 2 + (xx - cx - dx) ** 2) / (0.1 * side ** 2))
            image = 240 - 180 * blob + rng.normal(0, 8, blob.shape)
            images.append(np.clip(np.round(image), 0, 255).ravel())
            y.append(k)
    return np.array(y), np.array(images)


@pytest.fixture
def toy_csvs(tmp_path):
    """A small training set (30 a class) and test set (10 a class) of 8 x 8 images."""
    return (write_csv(tmp_path / "train.csv", *toy_images(30, seed=1)),
            write_csv(tmp_path / "test.csv", *toy_images(10, seed=2)))


@pytest.fixture(scope="session")
def saved_weights(tmp_path_factory):
    """Weights saved by --save-weights after a short run on the toy sets, shared by the
    --weights tests: (weights path, train CSV, test CSV, the test accuracy the run printed)."""
    import contextlib
    import io

    import ann
    folder = tmp_path_factory.mktemp("weights")
    train = write_csv(folder / "train.csv", *toy_images(30, seed=1))
    test = write_csv(folder / "test.csv", *toy_images(10, seed=2))
    weights, out = folder / "w.npz", io.StringIO()
    with contextlib.redirect_stdout(out):
        assert ann.main(["--train", train, "--test", test, "--maxiter", "10", "--no-plot",
                         "--save", str(folder / "f.png"), "--save-weights", str(weights)]) == 0
    accuracy = re.search(r"test accuracy (\d+\.\d)%", out.getvalue()).group(1)
    return weights, train, test, accuracy


def main_in_process(capsys, *args):
    """ann.main(ARGS) as `python ann.py ARGS` runs it, but in this process (fast); returns a
    CompletedProcess. A warning the user would see fails the test (not a DeprecationWarning one
    library raises about another: Python hides those from users)."""
    import warnings

    import ann
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("default", category=DeprecationWarning)
        status = ann.main([str(arg) for arg in args])
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess("ann.main", status, out, err)


def run_ann(*args, headless=True, runner=(), timeout=300, env=None, script=None):
    """Run `python ann.py ARGS` as a user would; returns the CompletedProcess.

    headless: use matplotlib's off-screen backend; otherwise matplotlib's own default.
    runner: a command to run it under, e.g. ("xvfb-run", "-a"). env: more environment
    variables. script: another copy of ann.py to run.
    """
    environment = dict(os.environ)
    environment.pop("MPLBACKEND", None)
    if headless:
        environment["MPLBACKEND"] = "agg"
    environment.update(env or {})
    return subprocess.run([*runner, sys.executable, script or os.path.join(ROOT, "ann.py"),
                           *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          env=environment)


def progress(stdout):
    """The progress lines of a run, `iter=  N: ...`, as a list."""
    return [line for line in stdout.splitlines() if line.startswith("iter=")]


def summary(stdout):
    """What a run printed, as numbers: per iteration Jtrain, train accuracy, Jtest, test
    accuracy (lists, iteration 1 first), the kept iteration, its test cost and the kept weights'
    train and test accuracies."""
    rows = re.findall(r"^iter=\s*\d+:  Jtrain= (\S+) acc= \s*(\S+)%  \|  Jtest= (\S+) "
                      r"acc= \s*(\S+)%", stdout, re.MULTILINE)
    kept = re.search(r"kept the weights of iteration (\d+), which had the lowest test cost, "
                     r"(\d+\.\d+)", stdout)
    accuracy = re.search(r"train accuracy (\d+\.\d)%, test accuracy (\d+\.\d)%", stdout)
    Jtrain, train_acc, Jtest, test_acc = ([float(v) for v in column] for column in zip(*rows))
    return dict(Jtrain=Jtrain, train_acc=train_acc, Jtest=Jtest, test_acc=test_acc,
                kept=int(kept.group(1)), lowest=float(kept.group(2)),
                kept_train_accuracy=float(accuracy.group(1)),
                kept_test_accuracy=float(accuracy.group(2)))
