"""The project's own train.csv and test.csv: made by make_galaxies.py, worth watching a network
learn on, and close enough to real galaxies that what is learned carries over."""
import filecmp
import os
import re
import subprocess
import sys

import numpy as np
import pytest

import ann
from conftest import ROOT, TUTORIAL, run_ann

TRAIN = os.path.join(ROOT, "train.csv")
TEST = os.path.join(ROOT, "test.csv")
tutorial = pytest.mark.skipif(not os.path.isdir(TUTORIAL),
                              reason="the tutorial's data (../shared/data/galaxyzoo) is absent")


def default_run(train, test, tmp_path):
    """ann.py's defaults (vectorized for time) on these files; returns its printed facts."""
    result = run_ann("--train", train, "--test", test, "--vectorized", "--no-plot",
                     "--save", str(tmp_path / "figure.png"), timeout=1200)
    assert result.returncode == 0, result.stderr
    Jtest = [float(v) for v in re.findall(r"Jtest= (\d+\.\d+)", result.stdout)]
    kept = int(re.search(r"kept the weights of iteration (\d+)", result.stdout).group(1))
    accuracy = float(re.search(r"test accuracy (\d+\.\d)%", result.stdout).group(1))
    return Jtest, kept, accuracy


def test_the_shipped_files_are_exactly_what_make_galaxies_writes(tmp_path):
    result = subprocess.run([sys.executable, os.path.join(ROOT, "galaxies", "make_galaxies.py"),
                             "--outdir", str(tmp_path)], capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr
    assert filecmp.cmp(tmp_path / "train.csv", TRAIN, shallow=False)
    assert filecmp.cmp(tmp_path / "test.csv", TEST, shallow=False)


def test_the_shipped_files_hold_900_and_225_galaxies_of_each_class():
    X, y = ann.csv_data.load_data(TRAIN)
    Xt, yt = ann.csv_data.load_data(TEST)
    assert X.shape == (2700, 1024) and Xt.shape == (675, 1024)
    assert list(np.bincount(y)) == [900, 900, 900]
    assert list(np.bincount(yt)) == [225, 225, 225]


def test_the_default_run_on_the_shipped_files_overfits_and_keeps_65_to_85_percent(tmp_path):
    Jtest, kept, accuracy = default_run(TRAIN, TEST, tmp_path)
    assert len(Jtest) == 601
    # the test cost reaches its minimum before the end, then rises: overfitting to watch
    assert 0 < kept < 600
    assert Jtest[-1] > Jtest[kept] + 0.01
    assert 65.0 <= accuracy <= 85.0


@tutorial
def test_a_network_trained_on_the_shipped_galaxies_recognizes_real_ones(tmp_path):
    _, _, accuracy = default_run(TRAIN, os.path.join(TUTORIAL, "test.csv"), tmp_path)
    assert accuracy >= 50.0                     # chance is 33 %


@tutorial
def test_a_network_trained_on_real_galaxies_recognizes_the_shipped_ones(tmp_path):
    _, _, accuracy = default_run(os.path.join(TUTORIAL, "train.csv"), TEST, tmp_path)
    assert accuracy >= 50.0
