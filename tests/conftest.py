"""Shared test set-up: import the project's modules from the project root, small data, and the
rule for what may be missing: on a learner's machine a test that needs the tutorial's data or a
virtual display skips; in CI (the CI variable set) it fails instead, so that CI cannot turn
green by skipping the checks that matter most."""
import functools
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TUTORIAL = os.path.join(ROOT, "..", "shared", "data", "galaxyzoo")
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
os.environ.setdefault("MPLBACKEND", "agg")     # tests draw off-screen unless they ask otherwise
IN_CI = bool(os.environ.get("CI"))

# A full 600-iteration run whose exact path follows the BLAS build's round-off (conjugate
# gradient amplifies the last bit): its regression pins and iteration windows hold for the
# numpy that CI installs, not for every numpy allowed. CI's oldest-versions job leaves them out.
roundoff = pytest.mark.roundoff


def pytest_configure(config):
    config.addinivalue_line("markers", "roundoff: a full run pinned to one BLAS build's "
                            "round-off (left out with the oldest versions)")


def needs(present, what):
    """A decorator: the test skips when `what` is not present, except in CI, where it fails."""
    def decorate(test):
        @functools.wraps(test)
        def checked(*args, **kwargs):
            if not present:
                if IN_CI:
                    pytest.fail(f"{what} is missing, and CI must run this test")
                pytest.skip(f"{what} is missing")
            return test(*args, **kwargs)
        return checked
    return decorate


needs_tutorial_data = needs(os.path.isdir(TUTORIAL), "the tutorial's data (../shared/data/galaxyzoo)")
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
    train = write_csv(tmp_path / "train.csv", *toy_images(30, seed=1))
    test = write_csv(tmp_path / "test.csv", *toy_images(10, seed=2))
    return train, test


# Full runs use one BLAS thread: a BLAS splits its sums differently with more threads, and the
# conjugate gradient run follows round-off, so the path would depend on the machine's cores.
ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


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
                           *args], capture_output=True, text=True, timeout=timeout,
                          env=environment)


def progress(stdout):
    """The progress lines of a run, `iter=  N: ...`, as a list."""
    return [line for line in stdout.splitlines() if line.startswith("iter=")]


def summary(stdout):
    """What a run printed at the end, as numbers: the kept iteration and its test cost, the
    kept weights' train and test accuracy, and the last iteration's costs and accuracies."""
    import re
    kept = re.search(r"kept the weights of iteration (\d+), which had the lowest test cost, "
                     r"(\d+\.\d+)", stdout)
    accuracy = re.search(r"train accuracy (\d+\.\d)%, test accuracy (\d+\.\d)%", stdout)
    last = re.findall(r"^iter=\s*(\d+):  Jtrain= (\S+) acc= \s*(\S+)%  \|  Jtest= (\S+) "
                      r"acc= \s*(\S+)%", stdout, re.MULTILINE)[-1]
    return dict(kept=int(kept.group(1)), lowest_test_cost=float(kept.group(2)),
                kept_train_accuracy=float(accuracy.group(1)),
                kept_test_accuracy=float(accuracy.group(2)), iterations=int(last[0]),
                final_train_cost=float(last[1]), final_train_accuracy=float(last[2]),
                final_test_cost=float(last[3]), final_test_accuracy=float(last[4]))
