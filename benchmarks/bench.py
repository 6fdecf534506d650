"""bench.py: how fast ann.py is, measured in one run, next to references kept in this file.

Prints one table, every number in it measured in this one run, for the project's data set
(train.csv and test.csv next to ann.py) and, when ../shared/data/galaxyzoo exists beside the
project, for the tutorial's set; then where the fast path's time goes. It compares ann.py with:

  - a baseline written the article's way, transcribed here (per-example loop on column vectors,
    the sigmoid's derivative g(z) (1 - g(z)) with g computed once, cost and accuracy
    recomputed in the callback, the figure cleared, rebuilt and drawn every iteration): the
    gradient per example, looped and vectorized; cost_function and gradient_vectorized per
    call, and their floor (the two matrix products any exact gradient must do); the figure's
    update and draw; whole default runs, each in a fresh subprocess, with the loop and with the
    fast path: seconds and peak memory;
  - the previous signatures (commit 43d022b, transcribed here): cost_function and gradient took
    a1, the images with their bias column added once per data set; now they take X and add it
    themselves. Per call, and the looped run's seconds per iteration, new against previous;
  - the previous vectorized path (cost_function + gradient_vectorized, each doing its own
    forward pass, and History evaluating the training set again), against the fast path;
  - scikit-learn's MLPClassifier (8 logistic hidden units, L-BFGS, alpha 10), fitted on the
    same data, against the whole `python ann.py --no-plot --vectorized` command;
  - the same command with a live figure in a window (matplotlib's default backend, on $DISPLAY
    or under xvfb-run), against headless.

Then a profile of one whole run of the fast path (ann.main, in its own process, with the
functions it calls wrapped by timers): forward and backward passes, the callback, fmin_cg's own
work, loading, and, in a window, the figure; per iteration, with the counts behind them.

Rows whose requirement is missing (scikit-learn, a display, ../shared) say "skipped" and why.
Only the standard library's timers. One BLAS thread unless told otherwise (see below), for
every process alike.

Run from the project root:
    python benchmarks/bench.py                  # the full benchmark (about 12 minutes, 2 sets)
    python benchmarks/bench.py --quick          # a smoke test: fewer repetitions, 60 iterations
    python benchmarks/bench.py --maxiter 200    # whole runs of 200 iterations
    python benchmarks/bench.py --train T.csv --test S.csv --no-tutorial   # another data set
    pip install -r benchmarks/requirements.txt  # scikit-learn, for its row
"""

import argparse
import functools
import json
import math
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from collections import defaultdict, namedtuple
from contextlib import contextmanager

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def blas_threads_option(argv):
    """The value of --blas-threads in argv, or None. Read before numpy is imported, since a
    BLAS reads its thread count when it loads."""
    for j, arg in enumerate(argv):
        if arg == "--blas-threads" and j + 1 < len(argv):
            return argv[j + 1]
        if arg.startswith("--blas-threads="):
            return arg.split("=", 1)[1]
    return None


if __name__ == "__main__":
    # One BLAS thread unless asked otherwise: on a shared 2-core machine, a BLAS running two
    # threads slows down many times over whenever another process wants a core (its threads
    # wait for each other), and that noise would swamp what this benchmark measures. Every
    # subprocess (whole runs, ann.py's commands, scikit-learn) inherits the setting.
    # --blas-threads 0 keeps the library's default (or the variables as set in the environment).
    _wanted = blas_threads_option(sys.argv[1:])
    if _wanted is None and not any(name in os.environ for name in THREAD_VARIABLES):
        _wanted = "1"
    if _wanted not in (None, "0"):
        os.environ.update({name: _wanted for name in THREAD_VARIABLES})

import numpy as np  # noqa: E402

import matplotlib  # noqa: E402   (the backend is chosen in main: Agg, except for a live run)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import ann  # noqa: E402
from companions import data, display, extras, figure  # noqa: E402

TUTORIAL = os.path.normpath(os.path.join(ROOT, "..", "shared", "data", "galaxyzoo"))
SEED, HIDDEN, LMBDA = 917, 8, 1.0          # the article's run
MAXITER_FULL, MAXITER_QUICK = 600, 60
BASELINE_ITERS = 100                        # the baseline's whole run is cut to this many
SIGNATURE_ITERS, SIGNATURE_PAIRS = 30, 5    # the looped runs, new vs previous signatures
SKLEARN_ALPHA = 10.0
SKLEARN_MISSING = "skipped (pip install -r benchmarks/requirements.txt)"

# The targets. Of the issue "Speed, measured":
TARGET_LOOP_X = 3.0          # looped gradient, per example, vs the baseline's loop
TARGET_FLOOR_X = 2.5         # gradient_vectorized within this many times the floor
TARGET_FIGURE_MS = 25.0      # figure update + draw, per iteration
TARGET_FIGURE_X = 4.0        # ... and vs the baseline's clear-and-rebuild
TARGET_RUN_VEC_X = 15.0      # whole run, vectorized, vs the baseline's whole run
TARGET_RUN_LOOP_X = 3.0      # whole run, loop, vs the baseline's whole run
# and of the later ones:
TARGET_SIGNATURE_X = 1.05    # the default (looped) run with the article's signatures: at most
                             # 5 % slower per iteration than with the previous ones
TARGET_SKLEARN_X = 0.7       # the fast path's training at most 0.7 x scikit-learn's fit
TARGET_LIVE_X = 1.3          # a live --vectorized run in a window at most 1.3 x headless


# ================================================================================================
# The baseline: the article's way, transcribed plainly. Same network, same numbers (to the last
# bit at the seed-917 weights), none of ann.py's care for speed. Takes the raw pixels X (m, n)
# and adds the bias where it needs it.
# ================================================================================================

def bl_sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def bl_sigmoid_slope(z):
    """g'(z) = g(z) (1 - g(z)), as the article computes it: g once, then the product."""
    gz = bl_sigmoid(z)
    return gz * (1.0 - gz)


def bl_unroll(theta, n_in, n_hidden, n_out):
    cut = n_hidden * (n_in + 1)
    return (theta[:cut].reshape(n_hidden, n_in + 1),
            theta[cut:].reshape(n_out, n_hidden + 1))


def bl_outputs(W1, W2, X):
    """Forward pass for all rows of X, the bias column glued on each time."""
    m = X.shape[0]
    inputs = np.hstack((np.ones((m, 1)), X))
    hidden = np.hstack((np.ones((m, 1)), bl_sigmoid(inputs @ W1.T)))
    return bl_sigmoid(hidden @ W2.T)


def bl_cost(theta, n_in, n_hidden, n_out, X, y, lmbda):
    W1, W2 = bl_unroll(theta, n_in, n_hidden, n_out)
    m = len(y)
    out = bl_outputs(W1, W2, X)
    # one-hot labels, one column per class, stacked side by side
    Y = np.hstack([(y == k).reshape(-1, 1) for k in range(n_out)]).astype(float)
    J = np.sum(-Y * np.log(out) - (1 - Y) * np.log(1 - out)) / m
    return J + lmbda / (2 * m) * (np.sum(W1[:, 1:] ** 2) + np.sum(W2[:, 1:] ** 2))


def bl_predict(W1, W2, X):
    return np.argmax(bl_outputs(W1, W2, X), axis=1)


def bl_gradient(theta, n_in, n_hidden, n_out, X, y, lmbda):
    """Backpropagation one example at a time, each example a column vector."""
    W1, W2 = bl_unroll(theta, n_in, n_hidden, n_out)
    m = len(y)
    acc1 = np.zeros(W1.shape)
    acc2 = np.zeros(W2.shape)
    for i in range(m):
        x = np.vstack((np.ones((1, 1)), X[i].reshape(-1, 1)))            # (n + 1, 1)
        hidden_in = W1 @ x                                                # (h, 1)
        hidden = np.vstack((np.ones((1, 1)), bl_sigmoid(hidden_in)))      # (h + 1, 1)
        out = bl_sigmoid(W2 @ hidden)                                     # (K, 1)
        target = np.zeros((n_out, 1))
        target[y[i]] = 1.0
        err_out = out - target                                            # (K, 1)
        err_hidden = (W2[:, 1:].T @ err_out) * bl_sigmoid_slope(hidden_in)  # (h, 1)
        acc2 += err_out @ hidden.T
        acc1 += err_hidden @ x.T
    grad1, grad2 = acc1 / m, acc2 / m
    grad1[:, 1:] += lmbda / m * W1[:, 1:]
    grad2[:, 1:] += lmbda / m * W2[:, 1:]
    return np.concatenate((grad1.ravel(), grad2.ravel()))


BASELINE_FIGSIZE = (8.0, 8.2)   # about LiveFigure's size for 3 classes and 8 hidden units


def bl_figure():
    import matplotlib.pyplot as plt
    return plt.figure(figsize=BASELINE_FIGSIZE)


def bl_rebuild(fig, X, y, n_out, W1, prediction, history, iteration, maxiter):
    """Clear the figure and build it again from nothing (the article's way); the caller then
    renders it with fig.canvas.draw().

    history: (J_train list, J_test list, best iteration, train accuracy, test accuracy)."""
    import matplotlib.pyplot as plt
    from matplotlib.gridspec import GridSpec
    J_train, J_test, best, acc_train, acc_test = history
    side = math.isqrt(X.shape[1])
    plt.figure(fig.number)
    plt.clf()
    grid = GridSpec(3, 1, figure=fig, height_ratios=[3.3, 1.2, 2.6], hspace=0.35)

    # six galaxies of each class, moving on every iteration, tiled into one image
    picks = []
    for k in range(n_out):
        rows = np.flatnonzero(y == k)
        picks.append(rows[(iteration * 6 + np.arange(6)) % len(rows)])
    tile_rows = []
    for r in range(3):
        tile_rows.append(np.hstack([X[picks[k][2 * r + c]].reshape(side, side)
                                    for k in range(n_out) for c in range(2)]))
    plt.subplot(grid[0])
    plt.imshow(np.vstack(tile_rows), cmap="gray", vmin=0, vmax=1)
    plt.axis("off")
    for r in range(3):
        for k in range(n_out):
            for c in range(2):
                i = picks[k][2 * r + c]
                right = prediction[i] == y[i]
                plt.text((2 * k + c) * side + 1, r * side + 1,
                         ("ESI"[prediction[i]] if n_out <= 3 else str(prediction[i]))
                         + (" \u2713" if right else ""),
                         color="tab:blue" if right else "tab:red", fontsize=12,
                         fontweight="bold", va="top")
    for k in range(n_out):
        plt.text(2 * k * side, -2, f"true: class {k}", fontsize=10)

    # the hidden units' weights, each scaled to its own largest magnitude, tiled in a row
    units = [w.reshape(side, side) / (np.abs(w).max() or 1.0) for w in W1[:, 1:]]
    plt.subplot(grid[1])
    plt.imshow(np.hstack(units), cmap="RdBu_r", vmin=-1, vmax=1)
    plt.xticks([])
    plt.yticks([])
    plt.title("hidden units' weights", fontsize=9, loc="left")

    plt.subplot(grid[2])
    plt.plot(J_train, color="tab:blue", label="train")
    plt.plot(J_test, color="tab:red", label="test")
    plt.plot([best], [J_test[best]], "o", color="tab:red", mfc="none", label="lowest test cost")
    plt.xlim(0, maxiter)
    plt.xlabel("iteration")
    plt.ylabel("cost J")
    plt.legend(loc="upper right", fontsize=9)
    plt.suptitle(f"iteration {iteration}: train accuracy {100 * acc_train:.1f}%, "
                 f"test accuracy {100 * acc_test:.1f}%", fontsize=11)


def baseline_training(X, y, Xt, yt, n_out, maxiter, on_stamp):
    """The article's training: fmin_cg with the baseline's cost and looped gradient; in the
    callback, cost and accuracy each recomputed from scratch, the figure rebuilt and drawn."""
    from scipy.optimize import fmin_cg
    sizes = (X.shape[1], HIDDEN, n_out)
    fig = bl_figure()
    J_train, J_test, acc_test = [], [], []
    state = {"best": 0, "best_theta": None, "iteration": 0}

    def callback(theta):
        J_train.append(bl_cost(theta, *sizes, X, y, LMBDA))
        J_test.append(bl_cost(theta, *sizes, Xt, yt, LMBDA))
        W1, W2 = bl_unroll(theta, *sizes)
        prediction = bl_predict(W1, W2, X)
        acc_train = np.mean(prediction == y)
        acc_test.append(np.mean(bl_predict(W1, W2, Xt) == yt))
        if J_test[-1] <= min(J_test):
            state["best"], state["best_theta"] = len(J_test) - 1, theta.copy()
        bl_rebuild(fig, X, y, n_out, W1, prediction,
                   (J_train, J_test, state["best"], acc_train, acc_test[-1]),
                   state["iteration"], maxiter)
        fig.canvas.draw()
        state["iteration"] += 1
        on_stamp()

    theta0 = ann.initial_weights(*sizes, SEED)
    callback(theta0)
    out = fmin_cg(bl_cost, theta0, fprime=bl_gradient, args=(*sizes, X, y, LMBDA),
                  maxiter=maxiter, callback=callback, disp=False, full_output=True)
    return dict(f_evals=int(out[2]), g_evals=int(out[3]), best_iteration=state["best"],
                best_J_test=float(J_test[state["best"]]),
                best_acc_test=float(acc_test[state["best"]]), frames=state["iteration"])


# ================================================================================================
# The previous signatures (commit 43d022b): cost_function and gradient took a1 (m, n + 1), the
# images with their bias column, added once per data set by the caller; gradient_vectorized
# too, for the previous vectorized path. Transcribed with ann.py's building blocks, whose
# arithmetic has not changed: their numbers equal today's to the last bit (bench prints the
# difference).
# ================================================================================================

def prev_cost_function(theta, input_layer_size, hidden_layer_size, num_labels, a1, y, lmbda):
    Theta1, Theta2 = ann.reshape(theta, input_layer_size, hidden_layer_size, num_labels)
    z3 = ann.feedforward(Theta1, Theta2, a1)[2]
    return ann.cost_of_outputs(z3, y, Theta1, Theta2, lmbda)


def prev_gradient(theta, input_layer_size, hidden_layer_size, num_labels, a1, y, lmbda):
    Theta1, Theta2 = ann.reshape(theta, input_layer_size, hidden_layer_size, num_labels)
    g, grad_g = ann.g, ann.grad_g
    m = len(y)
    Y = ann.one_hot(y, num_labels)                 # (m, K)
    Delta1 = np.zeros_like(Theta1)                 # (h, n + 1)
    Delta2 = np.zeros_like(Theta2)                 # (K, h + 1)
    Theta2_T = Theta2[:, 1:].T                     # (h, K)
    a2 = np.ones(hidden_layer_size + 1)            # (h + 1,)
    for i in range(m):
        z2 = Theta1 @ a1[i]                        # a1[i] already starts with its bias unit
        a2[1:] = g(z2)
        a3 = g(Theta2 @ a2)
        delta3 = a3 - Y[i]
        delta2 = (Theta2_T @ delta3) * grad_g(z2)
        Delta2 += np.outer(delta3, a2)
        Delta1 += np.outer(delta2, a1[i])
    return ann.regularized_gradient(Delta1, Delta2, Theta1, Theta2, lmbda, m)


def prev_gradient_vectorized(theta, input_layer_size, hidden_layer_size, num_labels, a1, y,
                             lmbda):
    Theta1, Theta2 = ann.reshape(theta, input_layer_size, hidden_layer_size, num_labels)
    z2, a2, _, a3 = ann.feedforward(Theta1, Theta2, a1)
    delta3 = a3 - ann.one_hot(y, num_labels)
    delta2 = (delta3 @ Theta2[:, 1:]) * ann.grad_g(z2)
    return ann.regularized_gradient(delta2.T @ a1, delta3.T @ a2, Theta1, Theta2, lmbda, len(y))


@contextmanager
def patched(owner, **attributes):
    """Set owner's attributes for the duration, then put the originals back."""
    originals = {name: getattr(owner, name) for name in attributes}
    for name, value in attributes.items():
        setattr(owner, name, value)
    try:
        yield
    finally:
        for name, value in originals.items():
            setattr(owner, name, value)


def counting(fmin_cg, counts):
    """fmin_cg, counting the cost and gradient evaluations it asks for."""
    def counted(f, x0, *args, fprime=None, **kwargs):
        def count(fn, key):
            def call(*a, **k):
                counts[key] = counts.get(key, 0) + 1
                return fn(*a, **k)
            return call
        return fmin_cg(count(f, "f_evals"), x0, *args,
                       fprime=None if fprime is None else count(fprime, "g_evals"), **kwargs)
    return counted


PATHS = {   # how timed_training trains: (vectorized, cost_function, gradient) for ann.train
    "loop": (False, None, None),                                  # today's default run
    "loop, previous": (False, prev_cost_function, prev_gradient),
    "fast path": (True, None, None),                              # today's --vectorized
    "vectorized, previous": (False, prev_cost_function, prev_gradient_vectorized),
}


def timed_training(X, y, Xt, yt, n_out, maxiter, path):
    """One training in this process through ann.train and a History, no figure, progress
    lines dropped; `path` one of PATHS. The previous functions get what train() hands the
    gradient, the History's training set, as a1. Returns wall seconds, iterations, the
    History, fmin_cg's evaluation counts and the process's CPU seconds."""
    vectorized, cost, gradient = PATHS[path]
    sizes = (X.shape[1], HIDDEN, n_out)
    history = ann.History(sizes, LMBDA, X, y, Xt, yt, report=lambda line: None)
    theta0 = ann.initial_weights(*sizes, SEED)
    counts = {}
    swaps = {"fmin_cg": counting(ann.fmin_cg, counts)}
    if cost is not None:
        swaps.update(cost_function=cost, gradient=gradient)
        history.X_train = history.a1_train
    with patched(ann, **swaps):
        start, cpu = time.perf_counter(), time.process_time()
        ann.train(history, theta0, maxiter, vectorized)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return seconds, history.iteration - 1, history, counts, cpu


# ================================================================================================
# Whole runs, each in a fresh subprocess: the baseline, and ann.py's training as run() drives
# it, headless: the figure updated and drawn as on screen (display.Frames and a Screen, at most
# 20 frames a second, redrawing what changes), onto the off-screen Agg canvas.
# ================================================================================================

def offscreen_screen(figure):
    """A display.Screen of the kind ann.py opens for a window, showing figure on its own
    (Agg, off-screen) canvas: the same pacing and the same blitting; only the copy of the
    pixels to a real window is missing."""
    screen = display.Screen("window", display.WINDOW_INTERVAL)
    screen.fig, screen.changing = figure.fig, figure.changing
    return screen


def ann_training(X, y, Xt, yt, n_out, maxiter, vectorized, on_stamp):
    sizes = (X.shape[1], HIDDEN, n_out)
    counts = {}
    live = ann.LiveFigure(X, y, n_out, HIDDEN, maxiter)
    screen = offscreen_screen(live)
    frames = figure.Frames(screen, None)
    drawn = []
    real_draw = screen.draw
    screen.draw = lambda: (drawn.append(1), real_draw())

    def on_iteration(history, theta, prediction):
        step = history.iteration
        frames.offer(step, lambda galaxies: live.update(history, theta, prediction, galaxies))
        on_stamp()

    history = ann.History(sizes, LMBDA, X, y, Xt, yt, report=lambda line: None,
                          on_iteration=on_iteration)
    theta0 = ann.initial_weights(*sizes, SEED)
    with patched(ann, fmin_cg=counting(ann.fmin_cg, counts)):
        ended = ann.train(history, theta0, maxiter, vectorized)
    best = history.best_iteration
    return dict(counts, ended=ended.value, best_iteration=best, frames=len(drawn),
                best_J_test=float(history.J_test[best]),
                best_acc_test=float(history.acc_test[best]))


def peak_rss_mb():
    """This process's peak resident memory so far, in MB, and how it was read.

    On Linux, VmHWM from /proc/self/status: the high-water mark of the process's own memory,
    the number ru_maxrss reports, except that ru_maxrss also keeps the peak of the parent it
    was forked from (a fresh subprocess would start at the benchmark's own peak). Elsewhere,
    resource.getrusage's ru_maxrss."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024, "VmHWM"
    except OSError:
        pass
    try:
        import resource
    except ImportError:                 # Windows: no peak to read
        return float("nan"), "unavailable"
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return (rss / 2 ** 20 if sys.platform == "darwin" else rss / 2 ** 10), "ru_maxrss"


def whole_run_child(kind, data_dir, maxiter):
    """One whole run in this fresh process; prints its measurements as one JSON line."""
    import matplotlib.pyplot as plt  # noqa: F401  (imported before the run, like ann and scipy)
    from scipy.optimize import fmin_cg  # noqa: F401
    # .npy files are read straight into their arrays: no transient copy to raise the peak
    X, y, Xt, yt = (np.load(os.path.join(data_dir, name + ".npy"))
                    for name in ("X", "y", "Xt", "yt"))
    n_out = int(y.max()) + 1
    stamps = []
    rss_before, how = peak_rss_mb()
    start = time.perf_counter()

    def on_stamp():
        stamps.append(time.perf_counter() - start)

    if kind == "baseline":
        info = baseline_training(X, y, Xt, yt, n_out, maxiter, on_stamp)
    else:
        info = ann_training(X, y, Xt, yt, n_out, maxiter, kind == "vectorized", on_stamp)
    total = time.perf_counter() - start
    rss_after, how = peak_rss_mb()
    print(json.dumps(dict(info, kind=kind, stamps=stamps, total=total, rss_how=how,
                          rss_before=rss_before, rss_peak=rss_after,
                          rss_rise=rss_after - rss_before)))
    return 0


def child(args, runner=(), env=None, timeout=1800):
    """Run this file with `args` in a fresh Python (under runner, e.g. xvfb-run); returns the
    JSON line it printed last, its whole output and its wall time."""
    start = time.perf_counter()
    done = subprocess.run([*runner, sys.executable, os.path.abspath(__file__), *args],
                          capture_output=True, text=True, timeout=timeout,
                          env=env or dict(os.environ, MPLBACKEND="agg"))
    wall = time.perf_counter() - start
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"bench.py {' '.join(args)} failed (exit {done.returncode}):\n"
                           f"{done.stderr[-3000:]}")
    return json.loads(lines[-1]), done.stdout, wall


def whole_run(kind, data_dir, maxiter):
    return child(["--child", kind, "--child-data", data_dir, "--maxiter", str(maxiter)])[0]


# ================================================================================================
# ann.py's own command, headless and in a window, and scikit-learn
# ================================================================================================

TRAINING_LINE = re.compile(r"^training (.+) after (\d+) iterations in ([\d.]+) s$", re.M)


def live_runner():
    """How to give a run a display: ([], None) where DISPLAY (or WAYLAND_DISPLAY) is set,
    (["xvfb-run", "-a"], None) where xvfb-run is installed, else (None, why not)."""
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return [], None
    if shutil.which("xvfb-run"):
        return ["xvfb-run", "-a"], None
    return None, "skipped: no display (DISPLAY unset) and no xvfb-run (Debian: apt install xvfb)"


def user_env():
    """The environment a user's run gets: bench's BLAS setting, matplotlib's own default
    backend (no MPLBACKEND)."""
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)
    return env


def ann_command(train, test, maxiter, folder, live, runner=()):
    """`python ann.py --vectorized` headless (--no-plot) or live (--close-when-done), as a
    user runs it. Returns wall seconds, printed training seconds, iterations, the output, and
    why the run was not live when it was meant to be (else None)."""
    argv = [sys.executable, os.path.join(ROOT, "ann.py"), "--vectorized",
            "--close-when-done" if live else "--no-plot",
            "--save", os.path.join(folder, "live.png" if live else "headless.png"),
            "--train", train, "--test", test, "--maxiter", str(maxiter)]
    start = time.perf_counter()
    done = subprocess.run([*runner, *argv], capture_output=True, text=True, timeout=1800,
                          env=user_env(), cwd=folder)
    wall = time.perf_counter() - start
    found = TRAINING_LINE.search(done.stdout)
    if done.returncode != 0 or not found:
        raise RuntimeError(f"ann.py {'live' if live else 'headless'} failed (exit "
                           f"{done.returncode}):\n{done.stdout[-1500:]}\n{done.stderr[-1500:]}")
    not_live = None
    if live:
        said = [line for line in done.stdout.splitlines() if "without" in line and "window" in line]
        if said:
            not_live = "skipped: ann.py opened no window: " + said[0][:120]
    return dict(wall=wall, training=float(found.group(3)), iterations=int(found.group(2)),
                output=done.stdout, not_live=not_live)


def xvfb_overhead(runner):
    """Seconds xvfb-run itself adds to a command (starting and stopping Xvfb), or 0."""
    if not runner:
        return 0.0
    start = time.perf_counter()
    subprocess.run([*runner, "true"], capture_output=True, timeout=120)
    return time.perf_counter() - start


def sklearn_version():
    """scikit-learn's version where it is installed (not imported here), else None."""
    from importlib import metadata
    try:
        return metadata.version("scikit-learn")
    except metadata.PackageNotFoundError:
        return None


def sklearn_child(train, test, maxiter):
    """scikit-learn's MLPClassifier on the same CSVs, read by ann.py's loader (pixels / 255);
    prints its times as one JSON line."""
    start = time.perf_counter()
    X, y, Xt, yt, _ = data.load_sets(train, test)
    load = time.perf_counter() - start
    from sklearn import __version__ as version
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    clf = MLPClassifier(hidden_layer_sizes=(HIDDEN,), activation="logistic", solver="lbfgs",
                        alpha=SKLEARN_ALPHA, max_iter=maxiter, random_state=SEED)
    evaluations = [0]
    if hasattr(clf, "_loss_grad_lbfgs"):      # count L-BFGS's loss + gradient evaluations
        real = clf._loss_grad_lbfgs

        def counted(*a, **k):
            evaluations[0] += 1
            return real(*a, **k)
        clf._loss_grad_lbfgs = counted
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)   # it stops at max_iter, as ann.py
        start = time.perf_counter()
        clf.fit(X, y)
        fit = time.perf_counter() - start
    try:
        from threadpoolctl import threadpool_info
        threads = sorted({p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"})
    except Exception:
        threads = []
    print(json.dumps(dict(fit=fit, load=load, iterations=int(clf.n_iter_),
                          evaluations=evaluations[0] or None, version=version, threads=threads,
                          acc_test=float(clf.score(Xt, yt)), acc_train=float(clf.score(X, y)))))
    return 0


# ================================================================================================
# Where the fast path's time goes: one whole run of ann.main in a fresh process, with the
# functions it calls wrapped by timers.
# ================================================================================================

class Profile:
    """Exclusive times and call counts of wrapped functions. A call's time goes to its part,
    less the time of the wrapped calls inside it, which go to theirs; so the parts add up to
    the whole. Times are kept apart for inside ann.train ("training") and outside."""

    def __init__(self):
        self.seconds = defaultdict(float)       # (phase, part): exclusive seconds
        self.inclusive = defaultdict(float)     # name: seconds of its outermost calls
        self.calls = defaultdict(int)           # (name, caller's name, phase): calls
        self.stack = []                         # [name, seconds of wrapped callees]
        self.training = 0

    def wrap(self, fn, name, part, absorbed_by=()):
        """fn, timed under `part`. Called from a function named in absorbed_by, it is not
        timed apart (its time stays with its caller's part) but still counted."""
        profile = self

        @functools.wraps(fn)
        def timed(*args, **kwargs):
            caller = profile.stack[-1][0] if profile.stack else None
            phase = "training" if profile.training or name == "ann.train" else "outside"
            profile.calls[(name, caller, phase)] += 1
            if caller in absorbed_by:
                return fn(*args, **kwargs)
            frame = [name, 0.0]
            profile.stack.append(frame)
            profile.training += name == "ann.train"
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - start
                profile.training -= name == "ann.train"
                profile.stack.pop()
                profile.seconds[(phase, part)] += elapsed - frame[1]
                if all(f[0] != name for f in profile.stack):
                    profile.inclusive[name] += elapsed
                if profile.stack:
                    profile.stack[-1][1] += elapsed
        return timed

    def hook(self, owner, attribute, name, part, absorbed_by=()):
        setattr(owner, attribute, self.wrap(getattr(owner, attribute), name, part, absorbed_by))


FMIN_CG_OWN = "fmin_cg's own work (line search, vectors)"
TEST_EVALUATION = "callback: test-set evaluation"
PROFILE_PARTS = [   # (owner, attribute, name, part, absorbed_by); owners resolved in the child
    ("data", "load_sets", "load_sets", "loading the CSVs", ()),
    ("ann.LiveFigure", "__init__", "LiveFigure()", "building the figure", ()),
    ("display.Screen", "show", "Screen.show", "opening the window", ()),
    ("ann", "train", "ann.train", FMIN_CG_OWN, ()),
    ("ann", "fmin_cg", "fmin_cg", FMIN_CG_OWN, ()),
    ("extras.FastPath", "cost", "cost", "fast path: cache checks, copies", ()),
    ("extras.FastPath", "gradient", "gradient", "fast path: cache checks, copies", ()),
    ("extras.FastPath", "forward", "forward", "fast path: cache checks, copies", ()),
    ("extras.FastPath", "evaluate", "evaluate",
     "callback: training-set argmax", ()),
    ("ann", "feedforward", "feedforward", "forward passes", ("History.evaluate",)),
    ("ann", "cost_of_outputs", "cost_of_outputs", "cost from the outputs",
     ("History.evaluate",)),
    ("ann", "backpropagate", "backpropagate", "backward passes", ()),
    ("ann.History", "__call__", "History()", "callback: accuracies, best weights",
     ()),
    ("ann.History", "evaluate", "History.evaluate", TEST_EVALUATION, ()),
    ("figure.Frames", "offer", "Frames.offer", "figure: pacing", ()),
    ("ann.LiveFigure", "update", "LiveFigure.update", "figure: update", ()),
    ("display.Screen", "draw", "Screen.draw", "figure: draw", ()),
    ("figure.Frames", "flush", "Frames.flush", "figure: pacing", ()),
    ("data", "save_outputs", "save_outputs", "saving the figure", ()),
    ("display", "close", "display.close", "closing the figure", ()),
]
PRINTING = "callback: printing the progress line"


def profile_child(train, test, maxiter, live, folder):
    """ann.main on the CSVs with the fast path, headless (--no-plot) or live
    (--close-when-done), timed by a Profile; prints ann.py's output, then one JSON line."""
    namespace = {"data": data, "ann": ann, "display": display, "extras": extras,
                 "figure": figure}
    profile = Profile()
    for owner, attribute, name, part, absorbed_by in PROFILE_PARTS:
        target = namespace[owner.split(".")[0]]
        for piece in owner.split(".")[1:]:
            target = getattr(target, piece)
        profile.hook(target, attribute, name, part, absorbed_by)
    real_init = ann.History.__init__

    def init(self, *a, **k):        # the progress line: History's report (print)
        real_init(self, *a, **k)
        self.report = profile.wrap(self.report, "report", PRINTING)
    ann.History.__init__ = init
    argv = ["--vectorized", "--close-when-done" if live else "--no-plot",
            "--save", os.path.join(folder, "profile.png"), "--train", train, "--test", test,
            "--maxiter", str(maxiter)]
    main = profile.wrap(ann.main, "ann.main", "ann.main: the rest (report, confusion)")
    status = main(argv)
    sys.stdout.flush()
    print(json.dumps(dict(
        status=status, live=live, backend=matplotlib.get_backend(),
        seconds=[[phase, part, s] for (phase, part), s in profile.seconds.items()],
        inclusive=dict(profile.inclusive),
        calls=[[name, caller, phase, n] for (name, caller, phase), n in profile.calls.items()])))
    return 0


def calls_of(profile, name, caller=None, phase="training"):
    return sum(n for nm, cl, ph, n in profile["calls"]
               if nm == name and ph == phase and (caller is None or cl == caller))


def run_profile(s, maxiter, folder, live, runner=()):
    """One profiled run in a fresh process; adds its wall time and printed training line."""
    args = ["--child", "profile", "--child-data", s["train"] + os.pathsep + s["test"],
            "--maxiter", str(maxiter), "--child-folder", folder] + (["--live"] if live else [])
    profile, output, wall = child(args, runner=runner, env=user_env())
    found = TRAINING_LINE.search(output)
    profile.update(wall=wall, printed=float(found.group(3)) if found else float("nan"),
                   iterations=int(found.group(2)) if found else 0)
    if live and any("without" in line and "window" in line for line in output.splitlines()):
        profile["not_live"] = True
    return profile


# ================================================================================================
# Micro-benchmarks: repeated, interleaved, the median kept.
# ================================================================================================

def calibrate(fn, at_least):
    """How many calls make one sample last at least `at_least` seconds (one call warms up)."""
    start = time.perf_counter()
    fn()
    once = max(time.perf_counter() - start, 1e-7)
    return max(1, math.ceil(at_least / once))


def interleaved(functions, rounds, at_least):
    """Time each of functions {name: fn} once per round, rotating the order every round.
    Returns {name: median seconds per call}, and {name_min: the fastest round}."""
    numbers = {name: calibrate(fn, at_least) for name, fn in functions.items()}
    samples = {name: [] for name in functions}
    names = list(functions)
    for r in range(rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            fn, number = functions[name], numbers[name]
            start = time.perf_counter()
            for _ in range(number):
                fn()
            samples[name].append((time.perf_counter() - start) / number)
    medians = {name: float(np.median(s)) for name, s in samples.items()}
    medians.update({name + "_min": float(np.min(s)) for name, s in samples.items()})
    return medians


def micro(X, y, Xt, yt, rounds, figure_rounds, at_least):
    n_out = int(y.max()) + 1
    sizes = (X.shape[1], HIDDEN, n_out)
    m = len(y)
    theta = ann.initial_weights(*sizes, SEED)
    a1, a1t = ann.add_bias(X), ann.add_bias(Xt)
    Theta1, Theta2 = ann.reshape(theta, *sizes)
    rng = np.random.RandomState(0)
    delta2 = rng.standard_normal((m, HIDDEN)) * 0.01

    # the baseline and the previous signatures compute the same numbers (fair comparisons)
    cost, grad = ann.cost_function(theta, *sizes, X, y, LMBDA), ann.gradient(theta, *sizes, X,
                                                                            y, LMBDA)
    grad_vec = ann.gradient_vectorized(theta, *sizes, X, y, LMBDA)
    check = dict(
        cost_difference=abs(bl_cost(theta, *sizes, X, y, LMBDA) - cost),
        gradient_difference=float(np.max(np.abs(bl_gradient(theta, *sizes, X, y, LMBDA)
                                                - grad))),
        prev_difference=max(
            abs(prev_cost_function(theta, *sizes, a1, y, LMBDA) - cost),
            float(np.max(np.abs(prev_gradient(theta, *sizes, a1, y, LMBDA) - grad))),
            float(np.max(np.abs(prev_gradient_vectorized(theta, *sizes, a1, y, LMBDA)
                                - grad_vec)))))

    def floor():
        a1 @ Theta1.T
        delta2.T @ a1

    t = interleaved({
        "grad_loop": lambda: ann.gradient(theta, *sizes, X, y, LMBDA),
        "grad_prev": lambda: prev_gradient(theta, *sizes, a1, y, LMBDA),
        "base_grad": lambda: bl_gradient(theta, *sizes, X, y, LMBDA),
        "grad_vec": lambda: ann.gradient_vectorized(theta, *sizes, X, y, LMBDA),
        "cost": lambda: ann.cost_function(theta, *sizes, X, y, LMBDA),
        "cost_prev": lambda: prev_cost_function(theta, *sizes, a1, y, LMBDA),
        "base_cost": lambda: bl_cost(theta, *sizes, X, y, LMBDA),
        "floor": floor,
        "floor_test": lambda: a1t @ Theta1.T,      # the callback's test-set forward product
    }, rounds, at_least)

    # The figures, with a short training history behind them: a few iterations of weights
    # drifting from the start, so the predictions and the cost curves are not all alike.
    import matplotlib.pyplot as plt
    history = ann.History(sizes, LMBDA, X, y, Xt, yt, report=lambda line: None)
    thetas = [theta + 0.02 * k * rng.standard_normal(theta.shape) for k in range(12)]
    for th in thetas:
        history(th)
    bl_history = (history.J_train, history.J_test, history.best_iteration,
                  history.acc_train[-1], history.acc_test[-1])
    predictions = [ann.predict(*ann.reshape(th, *sizes), X) for th in thetas]
    maxiter = MAXITER_FULL
    live = ann.LiveFigure(X, y, n_out, HIDDEN, maxiter)
    screen = offscreen_screen(live)
    base_fig = bl_figure()
    fig_samples = {"update": [], "draw": [], "base_build": [], "base_draw": []}
    for r in range(figure_rounds + 1):                   # round 0 warms up, not counted
        k = r % len(thetas)
        order = [0, 1] if r % 2 == 0 else [1, 0]
        for which in order:
            if which == 0:
                start = time.perf_counter()
                live.update(history, thetas[k], predictions[k], r)
                middle = time.perf_counter()
                screen.draw()
                end = time.perf_counter()
                if r:
                    fig_samples["update"].append(middle - start)
                    fig_samples["draw"].append(end - middle)
            else:
                start = time.perf_counter()
                bl_rebuild(base_fig, X, y, n_out, Theta1 + 0.02 * k, predictions[k],
                           bl_history, r, maxiter)
                middle = time.perf_counter()
                base_fig.canvas.draw()
                end = time.perf_counter()
                if r:
                    fig_samples["base_build"].append(middle - start)
                    fig_samples["base_draw"].append(end - middle)
    t.update(figure_parts(live, screen, figure_rounds))
    t["texts"] = len(live.texts)
    plt.close(live.fig)
    plt.close(base_fig)
    totals = {"figure": np.add(fig_samples["update"], fig_samples["draw"]),
              "base_figure": np.add(fig_samples["base_build"], fig_samples["base_draw"])}
    for name, s in list(fig_samples.items()) + list(totals.items()):
        t[name] = float(np.median(s))
        t[name + "_min"] = float(np.min(s))
    t["m"] = m
    t.update(check)
    return t


def figure_parts(live, screen, rounds):
    """Where Screen.draw()'s time goes on the Agg canvas: seconds (median of rounds) to
    restore the saved background, then to draw each group of the artists an update changes."""
    groups = {"part_restore": [],
              "part_texts": live.texts,
              "part_galaxies": [live.galaxy_image],
              "part_units": [live.units_image],
              "part_lines": [live.title, live.train_line, live.test_line, live.best_marker]}
    canvas = live.fig.canvas
    samples = {name: [] for name in groups}
    for _ in range(rounds):
        start = time.perf_counter()
        canvas.restore_region(screen.background)
        samples["part_restore"].append(time.perf_counter() - start)
        for name, artists in list(groups.items())[1:]:
            start = time.perf_counter()
            for artist in artists:
                live.fig.draw_artist(artist)
            samples[name].append(time.perf_counter() - start)
    return {name: float(np.median(v)) for name, v in samples.items()}


def signature_runs(s, n_out, iterations, pairs):
    """The default (looped) training's first `iterations` iterations, with today's functions
    and with the previous signatures, in pairs of alternating order. Returns, in wall and in
    the process's CPU time, the median seconds per iteration of each and the median of the
    pairs' ratios; and the evaluation counts."""
    per_it = {(path, clock): [] for path in ("loop", "loop, previous")
              for clock in ("wall", "cpu")}
    ratios = {"wall": [], "cpu": []}
    counts, same = {}, True
    for p in range(pairs):
        order = ("loop", "loop, previous") if p % 2 == 0 else ("loop, previous", "loop")
        got, trajectories = {}, {}
        for path in order:
            seconds, its, history, counts[path], cpu = timed_training(
                s["X"], s["y"], s["Xt"], s["yt"], n_out, iterations, path)
            got[path, "wall"], got[path, "cpu"] = seconds / max(its, 1), cpu / max(its, 1)
            trajectories[path] = history.J_train
        same &= trajectories["loop"] == trajectories["loop, previous"]
        for key in got:
            per_it[key].append(got[key])
        for clock in ratios:
            ratios[clock].append(got["loop", clock] / got["loop, previous", clock])
    its = max(1, len(history.J_train) - 1)
    return dict(new=float(np.median(per_it["loop", "wall"])),
                prev=float(np.median(per_it["loop, previous", "wall"])),
                ratio=float(np.median(ratios["wall"])), ratios=ratios["wall"],
                new_cpu=float(np.median(per_it["loop", "cpu"])),
                prev_cpu=float(np.median(per_it["loop, previous", "cpu"])),
                ratio_cpu=float(np.median(ratios["cpu"])), ratios_cpu=ratios["cpu"],
                iterations=its, same=same,
                f_per_it=counts["loop"].get("f_evals", 0) / its,
                g_per_it=counts["loop"].get("g_evals", 0) / its)


def vectorized_paths(s, n_out, maxiter, rounds):
    """Whole trainings in this process, no figure: the fast path against the previous
    vectorized path, alternating. Returns medians (seconds) and iterations."""
    seconds = {"fast path": [], "vectorized, previous": []}
    histories = {}
    for r in range(rounds):
        order = list(seconds) if r % 2 == 0 else list(seconds)[::-1]
        for path in order:
            spent, its, histories[path], _, _ = timed_training(s["X"], s["y"], s["Xt"],
                                                               s["yt"], n_out, maxiter, path)
            seconds[path].append(spent)
    return dict(fast=float(np.median(seconds["fast path"])),
                prev=float(np.median(seconds["vectorized, previous"])), iterations=its,
                same=histories["fast path"].J_train == histories["vectorized, previous"].J_train)


# ================================================================================================
# The machine, the data, the table
# ================================================================================================

def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def blas_info():
    try:
        from threadpoolctl import threadpool_info
        pools = [f"{p.get('internal_api')} {p.get('version')} ({p.get('num_threads')} threads)"
                 for p in threadpool_info() if p.get("user_api") == "blas"]
        if pools:
            return "; ".join(pools) + " [threadpoolctl]"
    except ImportError:
        pass
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{blas.get('name')} {blas.get('version')} [numpy.show_config]"
    except Exception:
        pass
    import contextlib
    import io
    text = io.StringIO()
    with contextlib.redirect_stdout(text):
        np.__config__.show()
    lines = [line.strip() for line in text.getvalue().splitlines()
             if "blas" in line.lower() and ("name" in line.lower() or "libraries" in line)]
    return (" ".join(lines[:2]) or "unknown") + " [np.__config__]"


def blas_threads():
    """The BLAS library's thread count, asked through ctypes where it is OpenBLAS; else None."""
    import ctypes
    try:
        with open("/proc/self/maps") as f:
            paths = set(re.findall(r"(/\S*openblas\S*\.so\S*)", f.read()))
    except OSError:
        return None
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for name in ("scipy_openblas_get_num_threads64_", "scipy_openblas_get_num_threads",
                     "openblas_get_num_threads64_", "openblas_get_num_threads"):
            if hasattr(lib, name):
                return int(getattr(lib, name)())
    return None


def load_average():
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):    # not on every system
        return float("nan")


def header(sets, args, maxiter, base_iters, rounds, figure_rounds):
    import scipy
    threads = {k: os.environ[k] for k in THREAD_VARIABLES if k in os.environ}
    lines = [
        "Speed, measured: python benchmarks/bench.py " + " ".join(sys.argv[1:]),
        f"machine: {cpu_model()}, {os.cpu_count()} cores (os.cpu_count()), "
        f"load average {load_average():.2f} at start",
        f"python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"matplotlib {matplotlib.__version__} (backend {matplotlib.get_backend()}), "
        f"scikit-learn {sklearn_version() or 'not installed'}",
        f"BLAS: {blas_info()}, threads: {blas_threads() or 'the library default'}"
        + (f" ({', '.join(f'{k}={v}' for k, v in threads.items())}, for every process; "
           "bench.py runs one BLAS thread unless told otherwise: --blas-threads N, 0 for the "
           "library default)" if threads else " (--blas-threads 0: the library default)"),
    ]
    for key, s in sets:
        lines.append(f"data set {key}: {s['name']}: train {s['X'].shape[0]} x {s['X'].shape[1]}, "
                     f"test {s['Xt'].shape[0]} x {s['Xt'].shape[1]}, "
                     f"{int(s['y'].max()) + 1} classes ({s['train']}, {s['test']})")
    lines += [
        f"timing: micro rows (per example, per call, floor) are the median of {rounds} "
        "interleaved rounds (each round calls every function, order rotated); figure rows the "
        f"median of {figure_rounds} alternating rounds; whole runs one run each, in a fresh "
        "subprocess, in the order baseline, loop, vectorized",
        f"whole runs: seed {SEED}, {HIDDEN} hidden, lambda {LMBDA:g}, fmin_cg up to {maxiter} "
        "iterations; the baseline clears, rebuilds and draws its figure every iteration; "
        "ann.py draws as in a window (display.Frames and a Screen: at most 20 frames a second and "
        "drawing at most an eighth of the time; "
        "LiveFigure.update() then Screen.draw(), which redraws what changes over a saved "
        "background); both on the off-screen Agg canvas. The baseline's run is cut at "
        f"{base_iters} iterations, and per-iteration times compare the first {base_iters} "
        f"iterations of every run (start to the callback of iteration {base_iters}, over "
        f"{base_iters})",
        "the 'against' column is the baseline's, except where the row names another reference "
        "('vs previous (a1)': the functions as they were before the article's signatures, "
        "transcribed in bench.py; 'vs sklearn'; 'vs headless'); ratios 'x previous', 'x "
        "sklearn', 'x headless' are ann.py's time over the reference's",
        f"signature rows: looped trainings (ann.train, a History, no figure), the first "
        f"{args.signature_iters} iterations, {args.signature_pairs} pair(s) in alternating order; "
        "seconds per iteration are the medians, the ratio the median of the pairs' ratios; "
        "in wall time, and in the process's CPU time (time.process_time: one BLAS thread, so "
        "the work itself, without the waits for a core that a shared machine adds; the 5 % "
        "verdict uses it)",
        f"fast path rows: whole trainings of {maxiter} iterations in this process, no figure; "
        "the ann.py rows run `python ann.py --vectorized --no-plot` (or --close-when-done in a "
        "window) as a user does, loading included in the wall time; 'training' is the time "
        "ann.py prints; scikit-learn: MLPClassifier(hidden_layer_sizes=(8,), "
        f"activation='logistic', solver='lbfgs', alpha={SKLEARN_ALPHA:g}, max_iter={maxiter}) "
        "in a fresh subprocess, the same CSVs read by ann.py's loader (pixels / 255), fit timed "
        "alone and with the loading",
        "peak memory: how far the run raised its subprocess's peak resident memory "
        "(Linux: VmHWM of /proc/self/status, the high-water mark behind ru_maxrss, "
        "read before and after the run; elsewhere ru_maxrss); the data are loaded "
        "before, from .npy",
    ]
    return lines


def load_set(name, train, test):
    X, y, Xt, yt, _ = data.load_sets(train, test)
    return dict(name=name, train=train, test=test, X=X, y=y, Xt=Xt, yt=yt)


def fmt(value, digits=3):
    """A number with `digits` significant digits, no exponent for everyday sizes."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    if value == 0:
        return "0"
    places = max(0, digits - 1 - int(math.floor(math.log10(abs(value)))))
    return f"{value:.{places}f}"


def per_iteration(run, n):
    """Seconds per iteration over the first n iterations: start to the callback of iteration n."""
    stamps = run["stamps"]
    n = min(n, len(stamps) - 1)
    return stamps[n] / n if n >= 1 else float("nan")


def ratio(a, b):
    """a / b, or nan where b is 0 (a time printed as 0.0 s)."""
    return a / b if b and b > 0 and a is not None else float("nan")


def verdict(ok, value=1.0):
    """MET or NOT MET; n/a where the ratio could not be measured (a time printed as 0.0 s)."""
    if value is None or not math.isfinite(value) or value <= 0:
        return "n/a"
    return "MET" if ok else "NOT MET"


# label, unit, ann.py's number, the reference's, the ratio and its word, the verdict (or None),
# or, for a row that could not be measured, skipped: why (the numbers None)
Row = namedtuple("Row", "label unit a b ratio word verdict skipped",
                 defaults=(None, None, None, "", None, None))


def rows_for(t, runs, maxiter, base_iters, sig, paths, cmd, live, sk):
    """The table's rows for one data set."""
    m = t["m"]
    loop, vec, base = runs["loop"], runs["vectorized"], runs["baseline"]
    # the compared iteration count: what every run reached, at most base_iters
    n = min(base_iters, len(base["stamps"]) - 1, len(loop["stamps"]) - 1,
            len(vec["stamps"]) - 1)
    loop_it, vec_it, base_it = (per_iteration(r, n) for r in (loop, vec, base))
    base_full = base_it * maxiter
    scaled = len(base["stamps"]) - 1 < maxiter
    grad_x = ratio(t["base_grad"], t["grad_loop"])
    floor_x = t["grad_vec"] / t["floor"]
    fig_x = ratio(t["base_figure"], t["figure"])
    run_loop_x, run_vec_x = ratio(base_it, loop_it), ratio(base_it, vec_it)
    rows = [
        Row("gradient (loop), per example", "us", 1e6 * t["grad_loop"] / m,
            1e6 * t["base_grad"] / m, grad_x, "x faster",
            verdict(grad_x >= TARGET_LOOP_X, grad_x)),
        Row("gradient_vectorized, per example", "us", 1e6 * t["grad_vec"] / m,
            1e6 * t["base_grad"] / m, ratio(t["base_grad"], t["grad_vec"]), "x faster"),
        Row("cost_function, per call", "ms", 1e3 * t["cost"], 1e3 * t["base_cost"],
            ratio(t["base_cost"], t["cost"]), "x faster"),
        Row("gradient_vectorized, per call", "ms", 1e3 * t["grad_vec"], 1e3 * t["base_grad"],
            ratio(t["base_grad"], t["grad_vec"]), "x faster"),
        Row("floor: a1 @ Theta1.T + delta2.T @ a1", "ms", 1e3 * t["floor"], None, None, ""),
        Row("gradient_vectorized / floor", "x", floor_x, None, floor_x, "x floor",
            verdict(floor_x <= TARGET_FLOOR_X, floor_x)),
        Row("figure: update + draw, per iteration", "ms", 1e3 * t["figure"],
            1e3 * t["base_figure"], fig_x, "x faster",
            verdict(1e3 * t["figure"] < TARGET_FIGURE_MS and fig_x >= TARGET_FIGURE_X, fig_x)),
        Row("  of which update(), baseline clf+rebuild", "ms", 1e3 * t["update"],
            1e3 * t["base_build"], ratio(t["base_build"], t["update"]), "x faster"),
        Row("  of which Screen.draw(), baseline draw()", "ms", 1e3 * t["draw"],
            1e3 * t["base_draw"], ratio(t["base_draw"], t["draw"]), "x faster"),
        Row(f"whole run, loop: first {n} iterations", "s/it", loop_it, base_it, run_loop_x,
            "x faster", verdict(run_loop_x >= TARGET_RUN_LOOP_X, run_loop_x)),
        Row(f"whole run, vectorized: first {n} iterations", "s/it", vec_it, base_it, run_vec_x,
            "x faster", verdict(run_vec_x >= TARGET_RUN_VEC_X, run_vec_x)),
        Row(f"whole run, loop: {maxiter} iterations", "s", loop["total"],
            ("~" if scaled else "", base_full), ratio(base_full, loop["total"]), "x faster"),
        Row(f"whole run, vectorized: {maxiter} iterations", "s", vec["total"],
            ("~" if scaled else "", base_full), ratio(base_full, vec["total"]), "x faster"),
        Row("peak memory rise, whole run, loop", "MB", loop["rss_rise"], base["rss_rise"],
            ratio(base["rss_rise"], loop["rss_rise"]), "x less"),
        Row("peak memory rise, whole run, vectorized", "MB", vec["rss_rise"], base["rss_rise"],
            ratio(base["rss_rise"], vec["rss_rise"]), "x less"),
        # the article's signatures: X, the bias added inside, against a1 added once outside
        Row("cost_function vs previous (a1), per call", "ms", 1e3 * t["cost"],
            1e3 * t["cost_prev"], ratio(t["cost"], t["cost_prev"]), "x previous"),
        Row("gradient (loop) vs previous (a1), per call", "ms", 1e3 * t["grad_loop"],
            1e3 * t["grad_prev"], ratio(t["grad_loop"], t["grad_prev"]), "x previous"),
        Row(f"looped run: first {sig['iterations']} its, vs previous (a1)", "s/it", sig["new"],
            sig["prev"], sig["ratio"], "x previous"),
        Row("  the same in CPU time (the verdict)", "s/it", sig["new_cpu"], sig["prev_cpu"],
            sig["ratio_cpu"], "x previous",
            verdict(sig["ratio_cpu"] <= TARGET_SIGNATURE_X, sig["ratio_cpu"])),
        # the fast path
        Row(f"fast path vs previous vectorized: {paths['iterations']} its", "s", paths["fast"],
            paths["prev"], ratio(paths["prev"], paths["fast"]), "x faster"),
    ]
    training = cmd["training"]
    if sk is None:
        rows += [Row("ann.py training vs sklearn fit", "s", skipped=SKLEARN_MISSING),
                 Row("ann.py command vs sklearn fit + loading", "s", skipped=SKLEARN_MISSING)]
    else:
        sk_x = ratio(training, sk["fit"])
        rows += [Row("ann.py training vs sklearn fit", "s", training, sk["fit"], sk_x,
                     "x sklearn", verdict(sk_x <= TARGET_SKLEARN_X, sk_x)),
                 Row("ann.py command vs sklearn fit + loading", "s", cmd["wall"],
                     sk["fit"] + sk["load"], ratio(cmd["wall"], sk["fit"] + sk["load"]),
                     "x sklearn")]
    if isinstance(live, str):
        rows += [Row("live window vs headless: training", "s", skipped=live),
                 Row("live window vs headless: whole command", "s", skipped=live)]
    else:
        live_x = ratio(live["training"], cmd["training"])
        rows += [Row("live window vs headless: training", "s", live["training"],
                     cmd["training"], live_x, "x headless",
                     verdict(live_x <= TARGET_LIVE_X, live_x)),
                 Row("live window vs headless: whole command", "s", live["wall"], cmd["wall"],
                     ratio(live["wall"], cmd["wall"]), "x headless")]
    return rows


TARGETS = [   # (start of the row's label, what the target is about, the target)
    ("gradient (loop), per example", "looped gradient, per example",
     f">= {TARGET_LOOP_X:g}x faster"),
    ("gradient_vectorized / floor", "gradient_vectorized vs the floor",
     f"<= {TARGET_FLOOR_X:g}x floor"),
    ("figure: update + draw, per iteration", "figure update + draw",
     f"< {TARGET_FIGURE_MS:g} ms, >= {TARGET_FIGURE_X:g}x"),
    ("whole run, loop: first", "whole run, loop", f">= {TARGET_RUN_LOOP_X:g}x faster"),
    ("whole run, vectorized: first", "whole run, vectorized", f">= {TARGET_RUN_VEC_X:g}x faster"),
    ("  the same in CPU time", "signatures: looped run, CPU per iteration",
     f"<= {TARGET_SIGNATURE_X:g}x previous"),
    ("ann.py training vs sklearn fit", "fast path vs scikit-learn's fit",
     f"<= {TARGET_SKLEARN_X:g}x sklearn"),
    ("live window vs headless: training", "live window vs headless",
     f"<= {TARGET_LIVE_X:g}x headless"),
]


def target_of(label):
    for start, _, text in TARGETS:
        if label.startswith(start):
            return text
    return ""


OPPOSITE = {"x faster": "x slower", "x less": "x more"}


def table(per_set):
    """per_set: [(key, rows)]. One line per row: each set's ann.py | against | ratio, then the
    target and each set's verdict. A row skipped in every set says why instead."""
    label_w, unit_w, num_w, ratio_w = 45, 5, 9, 15
    keys = [key for key, _ in per_set]
    set_w = 2 * num_w + ratio_w + 2
    top = " " * (label_w + unit_w + 1)
    for key, _ in per_set:
        top += " | " + f"data set {key}".center(set_w)
    top += " | target"
    head = "measure".ljust(label_w) + "unit".rjust(unit_w) + " "
    for _ in per_set:
        head += " | " + "ann.py".rjust(num_w) + " " + "against".rjust(num_w) + " " + \
                "ratio".rjust(ratio_w)
    head += " | " + "".ljust(22) + "".join(f"{k:>9}" for k in keys)
    lines = [top, head, "-" * len(head)]
    for r in range(len(per_set[0][1])):
        label, unit = per_set[0][1][r][:2]
        line = label.ljust(label_w) + unit.rjust(unit_w) + " "
        row_in = [rows[r] for _, rows in per_set]
        if all(row.skipped for row in row_in) and len({row.skipped for row in row_in}) == 1:
            lines.append(line + " | " + row_in[0].skipped)
            continue
        verdicts = []
        for row in row_in:
            if row.skipped:
                line += " | " + "skipped".center(set_w)
                verdicts.append("-")
                continue
            b = row.b[0] + fmt(row.b[1]) if isinstance(row.b, tuple) else fmt(row.b)
            x, word = row.ratio, row.word
            if x is None or not math.isfinite(x) or x <= 0:
                x = "-"
            elif word in OPPOSITE and x < 1:
                x = f"{fmt(1 / x)} {OPPOSITE[word]}"     # 0.5x faster reads as 2x slower
            else:
                x = f"{fmt(x)} {word}"
            line += " | " + fmt(row.a).rjust(num_w) + " " + b.rjust(num_w) + " " + \
                x.rjust(ratio_w)
            verdicts.append(row.verdict or "")
        target = target_of(label)
        line += " | " + target.ljust(22) + ("".join(f"{v:>9}" for v in verdicts)
                                           if target else "")
        lines.append(line.rstrip())
    return lines


def notes(key, t, runs, maxiter, sig, paths, cmd, live, sk, xvfb):
    base = runs["baseline"]
    lines = [f"data set {key}: the baseline vs ann.py at the seed-917 weights: cost differs by "
             f"{t['cost_difference']:.1e}, gradient by {t['gradient_difference']:.1e} (largest "
             f"entry); the previous (a1) functions vs today's: {t['prev_difference']:.1e}",
             f"  fastest round (the medians above, less the machine's noise): gradient loop "
             f"{fmt(1e6 * t['grad_loop_min'] / t['m'])} us/example (baseline "
             f"{fmt(1e6 * t['base_grad_min'] / t['m'])}, previous "
             f"{fmt(1e6 * t['grad_prev_min'] / t['m'])}), gradient_vectorized "
             f"{fmt(1e3 * t['grad_vec_min'])} ms, floor {fmt(1e3 * t['floor_min'])} ms, "
             f"cost_function {fmt(1e3 * t['cost_min'])} ms (previous "
             f"{fmt(1e3 * t['cost_prev_min'])}), figure {fmt(1e3 * t['figure_min'])} "
             f"ms (baseline {fmt(1e3 * t['base_figure_min'])} ms)"]
    lines.append(
        f"  figure: Screen.draw() on the Agg canvas, by part: restoring the background "
        f"{fmt(1e3 * t['part_restore'])} ms, the {t['texts']} prediction texts "
        f"{fmt(1e3 * t['part_texts'])} ms, the galaxies' image {fmt(1e3 * t['part_galaxies'])} "
        f"ms, the hidden units' image {fmt(1e3 * t['part_units'])} ms, the title and the cost "
        f"lines {fmt(1e3 * t['part_lines'])} ms")
    for kind in ("loop", "vectorized", "baseline"):
        r = runs[kind]
        its = len(r["stamps"]) - 1
        evals = (f"{r['f_evals'] / its:.2f} cost + {r['g_evals'] / its:.2f} gradient "
                 "evaluations per iteration" if "f_evals" in r and "g_evals" in r and its
                 else "evaluations not counted")
        lines.append(
            f"  {kind:10s} run: {its} iterations in {r['total']:.1f} s ({evals}; "
            f"{r['frames']} frames drawn); lowest test cost {r['best_J_test']:.4f} at iteration "
            f"{r['best_iteration']}, test accuracy {100 * r['best_acc_test']:.1f}%; peak RSS "
            f"({r['rss_how']}) {r['rss_before']:.0f} -> {r['rss_peak']:.0f} MB")
    if len(base["stamps"]) - 1 < maxiter:
        lines.append(f"  ~: the baseline ran {len(base['stamps']) - 1} iterations; its "
                     f"{maxiter}-iteration time is estimated as its seconds per iteration times "
                     f"{maxiter}")
    extra = (sig["f_per_it"] * (t["cost_min"] - t["cost_prev_min"])
             + sig["g_per_it"] * (t["grad_loop_min"] - t["grad_prev_min"]))
    lines.append(
        f"  signatures: looped run pairs (today / previous per iteration), wall: "
        f"{', '.join(fmt(x) for x in sig['ratios'])}; CPU: "
        f"{', '.join(fmt(x) for x in sig['ratios_cpu'])}; same iterates: "
        f"{'yes' if sig['same'] else 'NO'}. {sig['f_per_it']:.2f} cost_function and "
        f"{sig['g_per_it']:.2f} gradient calls per iteration: the per-call fastest rounds "
        f"predict {1e3 * extra:+.1f} ms per iteration, {100 * extra / sig['prev_cpu']:+.1f} %")
    lines.append(
        f"  fast path: {paths['iterations']} iterations in {paths['fast']:.2f} s in this process "
        f"(the previous vectorized path {paths['prev']:.2f} s; same iterates: "
        f"{'yes' if paths['same'] else 'NO'}); `ann.py --vectorized --no-plot`: "
        f"{cmd['iterations']} iterations, training {cmd['training']:.1f} s, whole command "
        f"{cmd['wall']:.2f} s")
    if sk is not None:
        evals = (f"{sk['evaluations']} loss + gradient evaluations, "
                 f"{sk['evaluations'] / max(sk['iterations'], 1):.2f} per iteration, "
                 f"{fmt(1e3 * sk['fit'] / sk['evaluations'])} ms each"
                 if sk.get("evaluations") else "evaluations not counted")
        lines.append(
            f"  scikit-learn {sk['version']} (BLAS threads {sk['threads'] or '?'}): "
            f"{sk['iterations']} L-BFGS iterations ({evals}), fit {sk['fit']:.2f} s, loading "
            f"{sk['load']:.2f} s; test accuracy {100 * sk['acc_test']:.1f}%, train "
            f"{100 * sk['acc_train']:.1f}%")
    if not isinstance(live, str):
        lines.append(
            f"  live window: {live['iterations']} iterations, training {live['training']:.1f} s,"
            f" whole command {live['wall']:.2f} s"
            + (f", of which about {xvfb:.2f} s is xvfb-run starting and stopping Xvfb"
               if xvfb else " (on $DISPLAY)"))
    return lines


# ---- The profile's report ----------------------------------------------------------------------

def profile_lines(key, profiles, t, sk, maxiter):
    """Where the fast path's time goes, from the headless and (if any) live profiles."""
    head = profiles[0][1]
    its = max(1, head["iterations"])
    lines = [f"where the fast path's time goes, data set {key}: ann.main(['--vectorized', ...]) "
             f"({head['iterations']} iterations), one run headless (--no-plot) and one in a "
             "window (--close-when-done), each timed inside its own process: the functions it "
             "calls are wrapped by timers, and each part's time excludes the wrapped calls "
             "inside it, so the parts add up"]
    lines += [f"  {name}: {p}" for name, p in profiles if isinstance(p, str)]
    columns = [(name, p) for name, p in profiles if not isinstance(p, str)]
    w = 46
    title = "part".ljust(w) + "".join(f" | {name:^24}" for name, _ in columns)
    sub = "".ljust(w) + "".join(f" | {'s':>7} {'ms/it':>8} {'share':>6}" for _ in columns)
    lines += ["", title, sub, "-" * len(sub)]

    def seconds(p, phase, part):
        return sum(s for ph, pt, s in p["seconds"] if ph == phase and pt == part)

    def parts(phase):
        found = []
        for _, p in columns:
            for ph, pt, s in sorted(p["seconds"], key=lambda e: -e[2]):
                if ph == phase and pt not in found:
                    found.append(pt)
        return found

    def line(label, values, share_of):
        text = label.ljust(w)
        for (_, p), v in zip(columns, values):
            if v is None:
                text += " | " + "".rjust(24)
                continue
            total = share_of(p)
            text += (f" | {v:7.2f} {1e3 * v / max(1, p['iterations']):8.2f} "
                     f"{100 * v / total:5.1f}%" if total else f" | {v:7.2f}")
        return text.rstrip()

    training = lambda p: p["inclusive"].get("ann.train", 0.0)       # noqa: E731
    wall = lambda p: p["wall"]                                       # noqa: E731
    lines.append(line("training (ann.train), of which:", [training(p) for _, p in columns],
                      training))
    order = parts("training")
    order.sort(key=lambda pt: pt == FMIN_CG_OWN)                     # the remainder last
    for part in order:
        lines.append(line("  " + part, [seconds(p, "training", part) for _, p in columns],
                          training))
    lines.append(line("outside training, of the whole command:", [None for _ in columns], wall))
    for part in parts("outside"):
        lines.append(line("  " + part, [seconds(p, "outside", part) for _, p in columns], wall))
    lines.append(line("  start-up, imports, exit (wall - ann.main)",
                      [p["wall"] - p["inclusive"].get("ann.main", 0.0) for _, p in columns],
                      wall))
    lines.append(line("whole command (wall)", [p["wall"] for _, p in columns], wall))
    lines.append(line("  (training as ann.py printed it)", [p["printed"] for _, p in columns],
                      wall))

    # counts, from the headless run
    p = head
    f_calls = calls_of(p, "cost", "fmin_cg")
    g_calls = calls_of(p, "gradient", "fmin_cg")
    forwards = calls_of(p, "feedforward", "forward")
    backwards = calls_of(p, "backpropagate")
    tests = calls_of(p, "History.evaluate")
    callbacks = calls_of(p, "History()")
    lines += ["", f"  counts per iteration (headless run): fmin_cg asked {f_calls / its:.2f} costs "
              f"and {g_calls / its:.2f} gradients; the fast path did {forwards / its:.2f} "
              f"forward and {backwards / its:.2f} backward passes on the training set (one "
              f"each per distinct weight vector), the callback {tests / its:.2f} on the test set "
              f"({callbacks} callbacks, the training set's figures from the cache)"]
    fw = seconds(p, "training", "forward passes") / max(forwards, 1)
    bw = seconds(p, "training", "backward passes") / max(backwards, 1)
    per_vector = (seconds(p, "training", "forward passes")
                  + seconds(p, "training", "backward passes")
                  + seconds(p, "training", "cost from the outputs")) / max(forwards, 1)
    lines.append(f"  each forward pass {1e3 * fw:.2f} ms, each backward pass {1e3 * bw:.2f} ms: "
                 f"{1e3 * per_vector:.2f} ms per weight vector with its cost, against the floor "
                 f"of {1e3 * t['floor']:.2f} ms (its two matrix products; "
                 f"{per_vector / t['floor']:.2f}x)")
    # the floor of a run: every weight vector's two products, the test set's one
    floor_it = forwards / its * t["floor"] + tests / its * t["floor_test"]
    floor_run = floor_it * p["iterations"]
    text = (f"  floor of this run: {forwards / its:.2f} weight vectors per iteration x "
            f"{1e3 * t['floor']:.2f} ms + the test set's product {1e3 * t['floor_test']:.2f} ms "
            f"= {1e3 * floor_it:.2f} ms per iteration, {floor_run:.2f} s for "
            f"{p['iterations']} iterations (measured: {training(p):.2f} s, "
            f"{training(p) / floor_run:.2f}x the floor)")
    lines.append(text)
    if sk is not None and sk.get("fit"):
        need = TARGET_SKLEARN_X * sk["fit"]
        sk_text = (f"  scikit-learn's fit: {sk['fit']:.2f} s; {TARGET_SKLEARN_X:g}x of it is "
                   f"{need:.2f} s, {need / floor_run:.2f}x this run's floor")
        if sk.get("evaluations"):
            sk_per_it = sk["evaluations"] / max(sk["iterations"], 1)
            sk_floor = sk["evaluations"] * t["floor"]
            sk_text += (
                f". Each of its loss + gradient evaluations needs the same two products (X @ W1,"
                f" X.T @ delta); its L-BFGS asked {sk_per_it:.2f} per iteration "
                f"({sk['evaluations']}, {fmt(1e3 * sk['fit'] / sk['evaluations'])} ms each), "
                f"fmin_cg {forwards / its:.2f} (and the callback's test set): floor against "
                f"floor, the fast path needs {floor_run / sk_floor:.2f}x scikit-learn's time; "
                f"{TARGET_SKLEARN_X:g}x would take at most "
                f"{TARGET_SKLEARN_X * sk_per_it:.2f} weight vectors per iteration, fewer than "
                "fmin_cg's line search asks for")
        lines.append(sk_text)
    live = next((p for name, p in columns if p.get("live")), None)
    if live is not None:
        frames = calls_of(live, "Screen.draw")
        live_its = max(1, live["iterations"])
        draw = seconds(live, "training", "figure: draw")
        update = seconds(live, "training", "figure: update")
        per_frame = (draw + update) / max(frames, 1)
        headless = training(head)
        allowed = (TARGET_LIVE_X - 1) * headless
        lines.append(
            f"  live: {frames} frames drawn in {live['iterations']} iterations (one every "
            f"{live_its / max(frames, 1):.1f}, {frames / max(training(live), 1e-9):.1f} a second)"
            f", each {1e3 * draw / max(frames, 1):.1f} ms to draw (Screen.draw, Tk's copy to "
            f"the window included) + {1e3 * update / max(frames, 1):.1f} ms to update: the "
            f"figure took {draw + update:.2f} s of the training's {training(live):.2f} s. "
            f"{TARGET_LIVE_X:g}x headless ({headless:.2f} s) leaves it {allowed:.2f} s: "
            f"{allowed / per_frame:.0f} such frames, one every "
            f"{live_its * per_frame / max(allowed, 1e-9):.1f} iterations; or, at 20 frames a "
            f"second, {1e3 * (TARGET_LIVE_X - 1) / TARGET_LIVE_X / 20:.1f} ms a frame")
    return lines


# ================================================================================================

def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description="Benchmark ann.py against a baseline written the article's way, its "
                    "previous signatures, scikit-learn, and itself in a window.")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke test: fewer repetitions and 60-iteration whole runs")
    parser.add_argument("--maxiter", type=int, default=None, metavar="N",
                        help=f"iterations of ann.py's whole runs (default {MAXITER_FULL}, "
                             f"{MAXITER_QUICK} with --quick)")
    parser.add_argument("--baseline-iters", type=int, default=BASELINE_ITERS, metavar="N",
                        help="iterations of the baseline's whole run, and of the per-iteration "
                             f"comparison (default {BASELINE_ITERS}, at most --maxiter)")
    parser.add_argument("--signature-iters", type=int, default=None, metavar="N",
                        help="iterations of each looped run comparing the signatures (default "
                             f"{SIGNATURE_ITERS}, 3 with --quick, at most --maxiter)")
    parser.add_argument("--signature-pairs", type=int, default=None, metavar="N",
                        help=f"pairs of those runs (default {SIGNATURE_PAIRS}, 1 with --quick)")
    parser.add_argument("--train", metavar="CSV",
                        help="training set (default: train.csv next to ann.py)")
    parser.add_argument("--test", metavar="CSV",
                        help="test set (default: test.csv next to ann.py)")
    parser.add_argument("--no-tutorial", action="store_true",
                        help="leave out the tutorial's set even where ../shared has it")
    parser.add_argument("--blas-threads", type=int, metavar="N",
                        help="BLAS threads (sets OPENBLAS_NUM_THREADS, OMP_NUM_THREADS and "
                             "MKL_NUM_THREADS) for every process: default 1, for steady numbers "
                             "on a shared machine, unless the environment sets them; 0: the "
                             "library's default")
    parser.add_argument("--child", choices=("loop", "vectorized", "baseline", "sklearn",
                                            "profile"), help=argparse.SUPPRESS)
    parser.add_argument("--child-data", help=argparse.SUPPRESS)
    parser.add_argument("--child-folder", help=argparse.SUPPRESS)
    parser.add_argument("--live", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if (args.train is None) != (args.test is None):
        parser.error("give --train and --test together")
    if args.maxiter is None:
        args.maxiter = MAXITER_QUICK if args.quick else MAXITER_FULL
    if args.signature_iters is None:
        args.signature_iters = 3 if args.quick else SIGNATURE_ITERS
    if args.signature_pairs is None:
        args.signature_pairs = 1 if args.quick else SIGNATURE_PAIRS
    if min(args.maxiter, args.baseline_iters, args.signature_iters, args.signature_pairs) < 1:
        parser.error("--maxiter, --baseline-iters, --signature-iters and --signature-pairs "
                     "must be 1 or more")
    args.signature_iters = min(args.signature_iters, args.maxiter)
    return args


def measure_set(key, s, args, rounds, figure_rounds, at_least, runner, no_runner):
    """Everything for one data set, in order; returns its rows, notes and profile lines."""
    say = lambda text: print(f"  {text} ... (load average {load_average():.2f})",  # noqa: E731
                             file=sys.stderr, flush=True)
    maxiter, base_iters = args.maxiter, min(args.baseline_iters, args.maxiter)
    n_out = int(s["y"].max()) + 1
    say("micro-benchmarks")
    t = micro(s["X"], s["y"], s["Xt"], s["yt"], rounds, figure_rounds, at_least)
    runs = {}
    with tempfile.TemporaryDirectory() as data_dir:
        for name in ("X", "y", "Xt", "yt"):
            np.save(os.path.join(data_dir, name + ".npy"), s[name])
        for kind in ("baseline", "loop", "vectorized"):
            say(f"whole run: {kind}")
            runs[kind] = whole_run(kind, data_dir, base_iters if kind == "baseline" else maxiter)
    say("signatures: looped runs, today's and previous")
    sig = signature_runs(s, n_out, args.signature_iters, args.signature_pairs)
    say("fast path vs previous vectorized path")
    paths = vectorized_paths(s, n_out, maxiter, 1 if args.quick else 2)
    with tempfile.TemporaryDirectory() as folder:
        say("ann.py --vectorized --no-plot")
        cmd = ann_command(s["train"], s["test"], maxiter, folder, live=False)
        if runner is None:
            live, xvfb = no_runner, 0.0
        else:
            say("ann.py --vectorized in a window")
            live = ann_command(s["train"], s["test"], maxiter, folder, live=True, runner=runner)
            live = live["not_live"] or live
            xvfb = xvfb_overhead(runner) if not isinstance(live, str) else 0.0
        sk = None
        if sklearn_version():
            say("scikit-learn")
            sk = child(["--child", "sklearn", "--child-data",
                        s["train"] + os.pathsep + s["test"], "--maxiter", str(maxiter)])[0]
        say("profile, headless")
        profiles = [("headless", run_profile(s, maxiter, folder, live=False))]
        if isinstance(live, str):
            profiles.append(("live (window)", live))
        else:
            say("profile, in a window")
            p = run_profile(s, maxiter, folder, live=True, runner=runner)
            profiles.append(("live (window)", "skipped: no window opened"
                             if p.get("not_live") else p))
    rows = rows_for(t, runs, maxiter, base_iters, sig, paths, cmd, live, sk)
    return (rows, notes(key, t, runs, maxiter, sig, paths, cmd, live, sk, xvfb),
            profile_lines(key, profiles, t, sk, maxiter))


def main(argv=None):
    args = parse_args(argv)
    if args.child in ("loop", "vectorized", "baseline"):
        matplotlib.use("Agg")
        return whole_run_child(args.child, args.child_data, args.maxiter)
    if args.child == "sklearn":
        return sklearn_child(*args.child_data.split(os.pathsep), args.maxiter)
    if args.child == "profile":
        return profile_child(*args.child_data.split(os.pathsep), args.maxiter, args.live,
                             args.child_folder)
    matplotlib.use("Agg")   # off-screen: every draw renders pixels, no window
    began = time.perf_counter()
    maxiter = args.maxiter
    base_iters = min(args.baseline_iters, maxiter)
    rounds, figure_rounds, at_least = (5, 4, 0.005) if args.quick else (15, 12, 0.02)

    sets, skipped = [], []
    train = os.path.abspath(args.train or os.path.join(ROOT, "train.csv"))
    test = os.path.abspath(args.test or os.path.join(ROOT, "test.csv"))
    if os.path.exists(train) and os.path.exists(test):
        sets.append(("A", load_set("given" if args.train else "project", train, test)))
    else:
        skipped.append(f"the project's set ({train}, {test}) is not there yet: not measured")
    tutorial_train = os.path.join(TUTORIAL, "train.csv")
    if args.no_tutorial:
        skipped.append("data set B (the tutorial's): skipped: --no-tutorial")
    elif not os.path.isdir(TUTORIAL):
        skipped.append(f"data set B (the tutorial's): skipped: {TUTORIAL} is not there")
    elif not sets or os.path.realpath(train) != os.path.realpath(tutorial_train):
        sets.append(("B" if sets else "A", load_set(
            "tutorial", tutorial_train, os.path.join(TUTORIAL, "test.csv"))))
    if not sets:
        print("bench.py: error: no data set: " + "; ".join(skipped), file=sys.stderr)
        return 2

    runner, no_runner = live_runner()
    out = header(sets, args, maxiter, base_iters, rounds, figure_rounds)
    out.append("live runs: " + ("on $DISPLAY" if runner == [] else
                                "under xvfb-run -a (a virtual display)" if runner else no_runner))
    load = load_average()
    if load > 0.5 * (os.cpu_count() or 1):
        out.append(f"warning: the machine is busy (load average {load:.1f} on {os.cpu_count()} "
                   "cores): every time is inflated"
                   + ("" if blas_threads() == 1 else ", and a BLAS running several threads "
                      "can slow down many times over when they must share cores"))
    out += [f"note: {s}" for s in skipped]
    print("\n".join(out), flush=True)
    per_set, all_notes, all_profiles = [], [], []
    for key, s in sets:
        print(f"measuring data set {key} ({s['name']}) ...", file=sys.stderr, flush=True)
        rows, set_notes, profile = measure_set(key, s, args, rounds, figure_rounds, at_least,
                                               runner, no_runner)
        per_set.append((key, rows))
        all_notes += set_notes
        all_profiles += profile + [""]
    print()
    print("\n".join(table(per_set)))
    print()
    print("\n".join(all_notes))
    print()
    print("\n".join(all_profiles))
    print("targets (ratios 'x faster' are the baseline's time / ann.py's; the floor ratio is "
          "gradient_vectorized / floor; 'x previous', 'x sklearn', 'x headless' are ann.py's "
          "time / the reference's; verdicts use the medians):")
    for label, about, target in TARGETS:
        for key, rows in per_set:
            row = next(r for r in rows if r.label.startswith(label))
            if row.skipped:
                measured, result = "-", row.skipped
            elif row.verdict == "n/a":
                measured, result = "-", "n/a (a time printed as 0.0 s)"
            else:
                measured = (f"{fmt(row.a)} ms, {fmt(row.ratio)}x" if label.startswith("figure")
                            else f"{fmt(row.ratio)}x")
                result = row.verdict
            print(f"  {about:42s} {target:20s} set {key}: {measured:16s} {result}")
    print(f"\nbenchmark took {time.perf_counter() - began:.0f} s; load average "
          f"{load_average():.2f} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
