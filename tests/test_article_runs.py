"""The article's run, start to end, on the article's galaxies and on the project's.

- The first 20 iterations on the tutorial's data, fetched with `--data tutorial` from a server on
  127.0.0.1, print what the article's script prints (the script as transcribed in
  benchmarks/bench.py's baseline: column vectors, its own cost and loop), number for number.
- The looped gradient (the default) and the fast path (--vectorized) print the same first 20
  iterations on each data set: their paths part only later, from round-off, so the full
  vectorized runs below speak for the default run too.
- Full runs, checked against what the tutorial's data README says of a faithful run (lowest test
  cost "about 1.47-1.48", which its own two example runs put at 1.466 and 1.482, and ours at
  1.460-1.482, so 1.455-1.49 here; at iterations 250-400; training cost ending near 1.17; the
  article's 74 %, here 73-75.5 %, the runs so far giving 73.6-74.2 %).

Without ../shared/data/galaxyzoo the tutorial's tests skip, except in CI, where they fail.
"""
import functools
import http.server
import importlib.util
import os
import shutil
import threading

import numpy as np
import pytest
from scipy.optimize import fmin_cg

import ann
from conftest import (ONE_THREAD, ROOT, TUTORIAL, needs_tutorial_data, progress, roundoff, run_ann,
                      summary)

TUTORIAL_TRAIN = os.path.join(TUTORIAL, "train.csv")
TUTORIAL_TEST = os.path.join(TUTORIAL, "test.csv")
PROJECT_TRAIN = os.path.join(ROOT, "train.csv")
PROJECT_TEST = os.path.join(ROOT, "test.csv")


def the_articles_script(train, test, maxiter):
    """The progress lines the article's script prints (its format), for its run on these files:
    seed 917, 8 hidden units, lambda 1, fmin_cg with the article's per-example gradient."""
    spec = importlib.util.spec_from_file_location("bench", os.path.join(ROOT, "benchmarks",
                                                                        "bench.py"))
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    data, test_data = np.loadtxt(train, delimiter=","), np.loadtxt(test, delimiter=",")
    y, y_test = data[:, 0].astype(int), test_data[:, 0].astype(int)
    X, X_test = data[:, 1:] / 255.0, test_data[:, 1:] / 255.0
    sizes = (X.shape[1], 8, 3)
    lines = []

    def callback(theta):                                     # the article's callbackF
        Theta1, Theta2 = bench.bl_unroll(theta, *sizes)
        J = bench.bl_cost(theta, *sizes, X, y, 1.0)
        accuracy = np.mean(bench.bl_predict(Theta1, Theta2, X) == y)
        J_test = bench.bl_cost(theta, *sizes, X_test, y_test, 1.0)
        accuracy_test = np.mean(bench.bl_predict(Theta1, Theta2, X_test) == y_test)
        lines.append("iter={:3d}:  Jtrain= {:0.4f} acc= {:0.2f}%  |  Jtest= {:0.4f} acc= "
                     "{:0.2f}%".format(len(lines) + 1, J, 100 * accuracy, J_test,
                                       100 * accuracy_test))

    np.random.seed(917)
    Theta1 = np.random.rand(8, sizes[0] + 1) * 0.4 - 0.2
    Theta2 = np.random.rand(3, 9) * 0.4 - 0.2
    theta0 = np.concatenate((Theta1.flatten(), Theta2.flatten()))
    fmin_cg(bench.bl_cost, theta0, fprime=bench.bl_gradient, args=(*sizes, X, y, 1.0),
            callback=callback, maxiter=maxiter, disp=False)
    return lines


@pytest.fixture
def tutorial_server():
    """A server on 127.0.0.1 serving ../shared/data/galaxyzoo; yields its address and a
    function that stops it."""
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                            functools.partial(Quiet, directory=TUTORIAL))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()

    def stop():
        httpd.shutdown()
        httpd.server_close()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", stop
    if thread.is_alive():
        stop()


def project_copy(folder):
    """ann.py and companions/ copied into folder, so that --data tutorial downloads into
    folder/tutorial_data and not into the project."""
    shutil.copy(os.path.join(ROOT, "ann.py"), folder)
    shutil.copytree(os.path.join(ROOT, "companions"), os.path.join(folder, "companions"),
                    ignore=shutil.ignore_patterns("__pycache__"))
    return os.path.join(folder, "ann.py")


@needs_tutorial_data
def test_initial_cost_on_the_tutorials_data_is_the_articles():
    X, y = ann.data.load_data(TUTORIAL_TRAIN)
    assert X.shape == (2700, 1024)
    theta = ann.initial_weights(1024, 8, 3, 917)
    assert ann.cost_function(theta, 1024, 8, 3, X, y, 1.0) == 2.0368341799643392
    assert ann.cost_function(theta, 1024, 8, 3, X, y.reshape(-1, 1), 1.0) == 2.0368341799643392


@needs_tutorial_data
def test_data_tutorial_downloads_and_its_first_20_iterations_equal_the_articles_script(
        tmp_path, tutorial_server):
    url, stop = tutorial_server
    script = project_copy(tmp_path)
    first = run_ann("--data", "tutorial", "--maxiter", "20", "--no-plot", "--save",
                    str(tmp_path / "f.png"), script=script,
                    env=dict(ONE_THREAD, ANN_DATA_URL=url), timeout=600)
    assert first.returncode == 0, first.stderr
    assert "Galaxy Zoo 2" in first.stdout and "Willett et al. 2013" in first.stdout
    assert sorted(os.listdir(tmp_path / "tutorial_data")) == ["test.csv", "train.csv"]
    assert progress(first.stdout) == the_articles_script(TUTORIAL_TRAIN, TUTORIAL_TEST, 20)

    stop()                       # later runs use the stored files, without the network
    second = run_ann("--data", "tutorial", "--maxiter", "1", "--no-plot", "--save",
                     str(tmp_path / "g.png"), script=script,
                     env=dict(ONE_THREAD, ANN_DATA_URL=url), timeout=600)
    assert second.returncode == 0, second.stderr
    assert "stored in" in second.stdout and "Downloading" not in second.stdout
    assert progress(second.stdout) == progress(first.stdout)[:1]


@pytest.mark.parametrize("data", ["project", "tutorial"])
def test_the_loop_and_the_fast_path_print_the_same_first_20_iterations(data, tmp_path):
    if data == "tutorial":
        needs_tutorial_data(lambda: None)()
    files = ([] if data == "project" else ["--train", TUTORIAL_TRAIN, "--test", TUTORIAL_TEST])
    runs = [run_ann(*files, "--maxiter", "20", "--no-plot", *fast, "--save",
                    str(tmp_path / "f.png"), env=ONE_THREAD) for fast in ([], ["--vectorized"])]
    for run in runs:
        assert run.returncode == 0, run.stderr
    looped, vectorized = (progress(run.stdout) for run in runs)
    assert len(looped) == 20 and looped == vectorized


def full_run(tmp_path, *args):
    """A whole 600-iteration run, headless, one BLAS thread; returns its summary()."""
    result = run_ann(*args, "--no-plot", "--save", str(tmp_path / "f.png"), env=ONE_THREAD,
                     timeout=1800)
    assert result.returncode == 0, result.stderr
    facts = summary(result.stdout)
    assert facts["iterations"] == 600 and "reached --maxiter" in result.stdout
    return facts


@roundoff
@needs_tutorial_data
@pytest.mark.parametrize("gradient", ["looped", "vectorized"])
def test_the_full_run_on_the_tutorials_data_keeps_the_articles_74_percent(tmp_path, gradient):
    facts = full_run(tmp_path, "--train", TUTORIAL_TRAIN, "--test", TUTORIAL_TEST,
                     *(["--vectorized"] if gradient == "vectorized" else []))
    # what the data's README says of a faithful run ("about 1.47-1.48"; see the docstring)
    assert 1.455 <= facts["lowest_test_cost"] <= 1.49
    assert 250 <= facts["kept"] <= 400
    assert 1.15 <= facts["final_train_cost"] <= 1.19
    # the article's 74 %, for the weights kept at the lowest test cost
    assert 73.0 <= facts["kept_test_accuracy"] <= 75.5
