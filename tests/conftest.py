"""Shared test set-up: import the project's modules from the project root, and small data."""
import os
import subprocess
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TUTORIAL = os.path.join(ROOT, "..", "shared", "data", "galaxyzoo")
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
os.environ.setdefault("MPLBACKEND", "agg")     # tests draw off-screen unless they ask otherwise


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


def run_ann(*args, headless=True, runner=(), timeout=300):
    """Run `python ann.py ARGS` as a user would; returns the CompletedProcess.

    headless: use matplotlib's off-screen backend; otherwise matplotlib's own default.
    runner: a command to run it under, e.g. ("xvfb-run", "-a").
    """
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)
    if headless:
        env["MPLBACKEND"] = "agg"
    return subprocess.run([*runner, sys.executable, os.path.join(ROOT, "ann.py"), *args],
                          capture_output=True, text=True, timeout=timeout, env=env)
