"""bench.py: how fast ann.py is, measured, next to a baseline written the article's way.

Prints one table, measured in one run, for the project's data set (train.csv and test.csv next
to ann.py) and, when ../shared/data/galaxyzoo exists beside the project, for the tutorial's set:

  - the gradient: microseconds per example, the per-example loop and the vectorized one;
  - milliseconds per call of cost_function, of gradient_vectorized and of the floor, the two
    matrix products any exact gradient must do (a1 @ Theta1.T and delta2.T @ a1);
  - milliseconds per iteration of the training figure: LiveFigure.update() then a draw on an
    off-screen Agg canvas;
  - the whole default run (seed 917, 8 hidden units, lambda 1, 600 iterations of fmin_cg), with
    the figure updated and drawn every iteration, with the loop and with the vectorized gradient,
    each in a fresh subprocess: seconds and peak memory;
  - each beside the same measure of a baseline kept in this file: a plain transcription of the
    article's way (per-example loop stacking column vectors, cost and predictions recomputed
    separately in the callback, the figure cleared and rebuilt every iteration).

Only the standard library's and numpy's timers; matplotlib with the Agg backend.

Run from the project root:
    python benchmarks/bench.py                  # the full benchmark (6-10 minutes, 2 sets)
    python benchmarks/bench.py --quick          # a smoke test: fewer repetitions, 60 iterations
    python benchmarks/bench.py --maxiter 200    # whole runs of 200 iterations
    python benchmarks/bench.py --train T.csv --test S.csv --no-tutorial   # another data set
"""

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time

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
    # wait for each other), and that noise would swamp what this benchmark measures. Whole
    # runs inherit the setting. --blas-threads 0 keeps the library's default (or the
    # variables as set in the environment).
    _wanted = blas_threads_option(sys.argv[1:])
    if _wanted is None and not any(name in os.environ for name in THREAD_VARIABLES):
        _wanted = "1"
    if _wanted not in (None, "0"):
        os.environ.update({name: _wanted for name in THREAD_VARIABLES})

import numpy as np  # noqa: E402

import matplotlib  # noqa: E402
matplotlib.use("Agg")   # off-screen: every draw renders pixels, no window

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import ann  # noqa: E402

TUTORIAL = os.path.normpath(os.path.join(ROOT, "..", "shared", "data", "galaxyzoo"))
SEED, HIDDEN, LMBDA = 917, 8, 1.0          # the article's run
MAXITER_FULL, MAXITER_QUICK = 600, 60
BASELINE_ITERS = 100                        # the baseline's whole run is cut to this many

# The targets of the issue "Speed, measured".
TARGET_LOOP_X = 3.0          # looped gradient, per example, vs the baseline's loop
TARGET_FLOOR_X = 2.5         # gradient_vectorized within this many times the floor
TARGET_FIGURE_MS = 25.0      # figure update + draw, per iteration
TARGET_FIGURE_X = 4.0        # ... and vs the baseline's clear-and-rebuild
TARGET_RUN_VEC_X = 15.0      # whole run, vectorized, vs the baseline's whole run
TARGET_RUN_LOOP_X = 3.0      # whole run, loop, vs the baseline's whole run


# ================================================================================================
# The baseline: the article's way, transcribed plainly. Same network, same numbers, none of
# ann.py's care for speed. Takes the raw pixels X (m, n) and adds the bias where it needs it.
# ================================================================================================

def bl_sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def bl_sigmoid_slope(z):
    return bl_sigmoid(z) * (1.0 - bl_sigmoid(z))


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
                best_acc_test=float(acc_test[state["best"]]))


# ================================================================================================
# ann.py's whole run, as run_training drives it, headless: update and draw every iteration.
# ================================================================================================

def render(figure):
    """Draw ann.py's figure as run_training does: with LiveFigure.draw() where it has one
    (ann.py may redraw only what changed), else a full fig.canvas.draw(). Either way the pixels
    are rendered, to the off-screen Agg canvas."""
    draw = getattr(figure, "draw", None)
    if callable(draw):
        draw()
    else:
        figure.fig.canvas.draw()


def render_how():
    return ("LiveFigure.draw()" if callable(getattr(ann.LiveFigure, "draw", None))
            else "fig.canvas.draw()")


def ann_training(X, y, Xt, yt, n_out, maxiter, vectorized, on_stamp):
    sizes = (X.shape[1], HIDDEN, n_out)
    counts = {}
    real_fmin_cg = getattr(ann, "fmin_cg", None)

    def counting_fmin_cg(f, x0, *args, fprime=None, **kwargs):
        # count the optimizer's evaluations, whatever functions ann.py hands it
        def count(fn, key):
            def counted(*a, **k):
                counts[key] = counts.get(key, 0) + 1
                return fn(*a, **k)
            return counted
        return real_fmin_cg(count(f, "f_evals"), x0, *args,
                            fprime=None if fprime is None else count(fprime, "g_evals"),
                            **kwargs)
    if real_fmin_cg is not None:
        ann.fmin_cg = counting_fmin_cg

    figure = ann.LiveFigure(X, y, n_out, HIDDEN, maxiter)

    def on_iteration(training, theta, prediction):
        figure.update(training, theta, prediction)
        render(figure)
        on_stamp()

    training = ann.Training(sizes, LMBDA, (ann.add_bias(X), y), (ann.add_bias(Xt), yt),
                            report=lambda line: None, on_iteration=on_iteration)
    theta0 = ann.initial_weights(*sizes, SEED)
    ended = ann.train(training, theta0, maxiter, vectorized)
    best = training.best_iteration
    return dict(counts, ended=ended, best_iteration=best,
                best_J_test=float(training.J_test[best]),
                best_acc_test=float(training.acc_test[best]))


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


def child_main(kind, data_dir, maxiter):
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


def whole_run(kind, data_dir, maxiter):
    """Run child_main in a fresh Python; returns its measurements."""
    env = dict(os.environ, MPLBACKEND="agg")
    done = subprocess.run([sys.executable, os.path.abspath(__file__), "--child", kind,
                           "--child-data", data_dir, "--maxiter", str(maxiter)],
                          capture_output=True, text=True, env=env)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"whole run {kind!r} failed (exit {done.returncode}):\n"
                           f"{done.stderr[-3000:]}")
    return json.loads(lines[-1])


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
    Returns {name: median seconds per call}."""
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
    a1 = ann.add_bias(X)
    Theta1, Theta2 = ann.reshape(theta, *sizes)
    rng = np.random.RandomState(0)
    delta2 = rng.standard_normal((m, HIDDEN)) * 0.01

    # the baseline computes the same numbers (a check that the comparison is fair)
    check = dict(
        cost_difference=abs(bl_cost(theta, *sizes, X, y, LMBDA)
                            - ann.cost_function(theta, *sizes, a1, y, LMBDA)),
        gradient_difference=float(
            np.linalg.norm(bl_gradient(theta, *sizes, X, y, LMBDA)
                           - ann.gradient(theta, *sizes, a1, y, LMBDA))
            / np.linalg.norm(ann.gradient_vectorized(theta, *sizes, a1, y, LMBDA))))

    def floor():
        a1 @ Theta1.T
        delta2.T @ a1

    t = interleaved({
        "grad_loop": lambda: ann.gradient(theta, *sizes, a1, y, LMBDA),
        "base_grad": lambda: bl_gradient(theta, *sizes, X, y, LMBDA),
        "grad_vec": lambda: ann.gradient_vectorized(theta, *sizes, a1, y, LMBDA),
        "cost": lambda: ann.cost_function(theta, *sizes, a1, y, LMBDA),
        "base_cost": lambda: bl_cost(theta, *sizes, X, y, LMBDA),
        "floor": floor,
    }, rounds, at_least)

    # The figures, with a short training history behind them: a few iterations of weights
    # drifting from the start, so the predictions and the cost curves are not all alike.
    import matplotlib.pyplot as plt
    training = ann.Training(sizes, LMBDA, (a1, y), (ann.add_bias(Xt), yt),
                            report=lambda line: None)
    thetas = [theta + 0.02 * k * rng.standard_normal(theta.shape) for k in range(12)]
    for th in thetas:
        training(th)
    history = (training.J_train, training.J_test, training.best_iteration,
               training.acc_train[-1], training.acc_test[-1])
    predictions = [ann.predict(*ann.reshape(th, *sizes), X) for th in thetas]
    maxiter = MAXITER_FULL
    live = ann.LiveFigure(X, y, n_out, HIDDEN, maxiter)
    base_fig = bl_figure()
    fig_samples = {"update": [], "draw": [], "base_build": [], "base_draw": []}
    for r in range(figure_rounds + 1):                   # round 0 warms up, not counted
        k = r % len(thetas)
        order = [0, 1] if r % 2 == 0 else [1, 0]
        for which in order:
            if which == 0:
                start = time.perf_counter()
                live.update(training, thetas[k], predictions[k])
                middle = time.perf_counter()
                render(live)
                end = time.perf_counter()
                training.iteration += 1                  # the next iteration's galaxies
                if r:
                    fig_samples["update"].append(middle - start)
                    fig_samples["draw"].append(end - middle)
            else:
                start = time.perf_counter()
                bl_rebuild(base_fig, X, y, n_out, Theta1 + 0.02 * k, predictions[k], history,
                           r, maxiter)
                middle = time.perf_counter()
                base_fig.canvas.draw()
                end = time.perf_counter()
                if r:
                    fig_samples["base_build"].append(middle - start)
                    fig_samples["base_draw"].append(end - middle)
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
    import re
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
        f"matplotlib {matplotlib.__version__} (backend {matplotlib.get_backend()})",
        f"BLAS: {blas_info()}, threads: {blas_threads() or 'the library default'}"
        + (f" ({', '.join(f'{k}={v}' for k, v in threads.items())}; bench.py runs one BLAS "
           "thread unless told otherwise: --blas-threads N, 0 for the library default)"
           if threads else " (--blas-threads 0: the library default)"),
    ]
    for key, s in sets:
        lines.append(f"data set {key}: {s['name']}: train {s['X'].shape[0]} x {s['X'].shape[1]}, "
                     f"test {s['Xt'].shape[0]} x {s['Xt'].shape[1]}, "
                     f"{int(s['y'].max()) + 1} classes ({s['train']}, {s['test']})")
    lines.append(
        f"timing: micro rows are the median of {rounds} interleaved rounds (each round calls "
        f"every function, order rotated), figure rows the median of {figure_rounds} "
        "alternating rounds; whole runs are one run each, in a fresh subprocess, in the order "
        "baseline, loop, vectorized")
    lines.append(
        f"whole runs: seed {SEED}, {HIDDEN} hidden, lambda {LMBDA:g}, fmin_cg up to {maxiter} "
        f"iterations, figure updated and drawn every iteration (ann.py: update() then "
        f"{render_how()}, as run_training does; baseline: clf, rebuild, fig.canvas.draw(); "
        "on the off-screen Agg canvas); the baseline's is cut at "
        f"{base_iters} iterations, and per-iteration times compare the first "
        f"{base_iters} iterations of every run (start to the callback of iteration "
        f"{base_iters}, over {base_iters})")
    lines.append("peak memory: how far the run raised its subprocess's peak resident memory "
                 "(Linux: VmHWM of /proc/self/status, the high-water mark behind ru_maxrss, "
                 "read before and after the run; elsewhere ru_maxrss); the data are loaded "
                 "before, from .npy")
    return lines


def load_set(name, train, test):
    X, y = ann.load_data(train)
    Xt, yt = ann.load_data(test)
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


def rows_for(t, runs, maxiter, base_iters):
    """The table's rows for one data set: (label, unit, ann.py, baseline, ratio, ratio word,
    verdict or None)."""
    m = t["m"]
    loop, vec, base = runs["loop"], runs["vectorized"], runs["baseline"]
    # the compared iteration count: what every run reached, at most base_iters
    n = min(base_iters, len(base["stamps"]) - 1, len(loop["stamps"]) - 1,
            len(vec["stamps"]) - 1)
    loop_it, vec_it, base_it = (per_iteration(r, n) for r in (loop, vec, base))
    base_full = base_it * maxiter
    scaled = len(base["stamps"]) - 1 < maxiter
    ratio = lambda b, a: b / a if a > 0 else float("nan")   # noqa: E731
    grad_x = ratio(t["base_grad"], t["grad_loop"])
    floor_x = t["grad_vec"] / t["floor"]
    fig_x = ratio(t["base_figure"], t["figure"])
    run_loop_x, run_vec_x = ratio(base_it, loop_it), ratio(base_it, vec_it)
    verdict = lambda ok: "MET" if ok else "NOT MET"           # noqa: E731
    return [
        ("gradient (loop), per example", "us", 1e6 * t["grad_loop"] / m,
         1e6 * t["base_grad"] / m, grad_x, "x faster", verdict(grad_x >= TARGET_LOOP_X)),
        ("gradient_vectorized, per example", "us", 1e6 * t["grad_vec"] / m,
         1e6 * t["base_grad"] / m, ratio(t["base_grad"], t["grad_vec"]), "x faster", None),
        ("cost_function, per call", "ms", 1e3 * t["cost"], 1e3 * t["base_cost"],
         ratio(t["base_cost"], t["cost"]), "x faster", None),
        ("gradient_vectorized, per call", "ms", 1e3 * t["grad_vec"], 1e3 * t["base_grad"],
         ratio(t["base_grad"], t["grad_vec"]), "x faster", None),
        ("floor: a1 @ Theta1.T + delta2.T @ a1", "ms", 1e3 * t["floor"], None, None, "", None),
        ("gradient_vectorized / floor", "x", floor_x, None, floor_x, "x floor",
         verdict(floor_x <= TARGET_FLOOR_X)),
        ("figure: update + draw, per iteration", "ms", 1e3 * t["figure"],
         1e3 * t["base_figure"], fig_x, "x faster",
         verdict(1e3 * t["figure"] < TARGET_FIGURE_MS and fig_x >= TARGET_FIGURE_X)),
        ("  of which update(), baseline clf+rebuild", "ms", 1e3 * t["update"],
         1e3 * t["base_build"], ratio(t["base_build"], t["update"]), "x faster", None),
        (f"  of which draw: {render_how()}", "ms", 1e3 * t["draw"], 1e3 * t["base_draw"],
         ratio(t["base_draw"], t["draw"]), "x faster", None),
        (f"whole run, loop: first {n} iterations", "s/it", loop_it, base_it, run_loop_x,
         "x faster", verdict(run_loop_x >= TARGET_RUN_LOOP_X)),
        (f"whole run, vectorized: first {n} iterations", "s/it", vec_it, base_it, run_vec_x,
         "x faster", verdict(run_vec_x >= TARGET_RUN_VEC_X)),
        (f"whole run, loop: {maxiter} iterations", "s", loop["total"],
         ("~" if scaled else "", base_full), ratio(base_full, loop["total"]), "x faster", None),
        (f"whole run, vectorized: {maxiter} iterations", "s", vec["total"],
         ("~" if scaled else "", base_full), ratio(base_full, vec["total"]), "x faster", None),
        ("peak memory rise, whole run, loop", "MB", loop["rss_rise"], base["rss_rise"],
         ratio(base["rss_rise"], loop["rss_rise"]), "x less", None),
        ("peak memory rise, whole run, vectorized", "MB", vec["rss_rise"], base["rss_rise"],
         ratio(base["rss_rise"], vec["rss_rise"]), "x less", None),
    ]


TARGETS = [   # (start of the row's label, what the target is about, the target)
    ("gradient (loop), per example", "looped gradient, per example",
     f">= {TARGET_LOOP_X:g}x faster"),
    ("gradient_vectorized / floor", "gradient_vectorized vs the floor",
     f"<= {TARGET_FLOOR_X:g}x floor"),
    ("figure: update + draw, per iteration", "figure update + draw",
     f"< {TARGET_FIGURE_MS:g} ms, >= {TARGET_FIGURE_X:g}x"),
    ("whole run, loop: first", "whole run, loop", f">= {TARGET_RUN_LOOP_X:g}x faster"),
    ("whole run, vectorized: first", "whole run, vectorized", f">= {TARGET_RUN_VEC_X:g}x faster"),
]


def target_of(label):
    for start, _, text in TARGETS:
        if label.startswith(start):
            return text
    return ""


OPPOSITE = {"x faster": "x slower", "x less": "x more"}


def table(per_set):
    """per_set: [(key, rows)]. One line per row: each set's ann.py | baseline | ratio, then
    the target and each set's verdict."""
    label_w, unit_w, num_w, ratio_w = 45, 5, 9, 15
    keys = [key for key, _ in per_set]
    set_w = 2 * num_w + ratio_w + 2
    top = " " * (label_w + unit_w + 1)
    for key, _ in per_set:
        top += " | " + f"data set {key}".center(set_w)
    top += " | target"
    head = "measure".ljust(label_w) + "unit".rjust(unit_w) + " "
    for _ in per_set:
        head += " | " + "ann.py".rjust(num_w) + " " + "baseline".rjust(num_w) + " " + \
                "ratio".rjust(ratio_w)
    head += " | " + "".ljust(22) + "".join(f"{k:>9}" for k in keys)
    lines = [top, head, "-" * len(head)]
    for r in range(len(per_set[0][1])):
        label, unit = per_set[0][1][r][:2]
        line = label.ljust(label_w) + unit.rjust(unit_w) + " "
        verdicts = []
        for _, rows in per_set:
            _, _, a, b, x, word, verdict = rows[r]
            if isinstance(b, tuple):
                b = b[0] + fmt(b[1])
            else:
                b = fmt(b)
            if x is None or not math.isfinite(x) or x <= 0:
                x = "-"
            elif word in OPPOSITE and x < 1:
                x = f"{fmt(1 / x)} {OPPOSITE[word]}"     # 0.5x faster reads as 2x slower
            else:
                x = f"{fmt(x)} {word}"
            line += " | " + fmt(a).rjust(num_w) + " " + b.rjust(num_w) + " " + x.rjust(ratio_w)
            verdicts.append(verdict or "")
        target = target_of(label)
        line += " | " + target.ljust(22) + ("".join(f"{v:>9}" for v in verdicts)
                                           if target else "")
        lines.append(line.rstrip())
    return lines


def notes(key, t, runs, maxiter):
    base = runs["baseline"]
    lines = [f"data set {key}: baseline vs ann.py at the seed-917 weights: cost differs by "
             f"{t['cost_difference']:.1e}, gradient by {t['gradient_difference']:.1e} "
             "(relative)",
             f"  fastest round (the medians above, less the machine's noise): gradient loop "
             f"{fmt(1e6 * t['grad_loop_min'] / t['m'])} us/example (baseline "
             f"{fmt(1e6 * t['base_grad_min'] / t['m'])}), gradient_vectorized "
             f"{fmt(1e3 * t['grad_vec_min'])} ms, floor {fmt(1e3 * t['floor_min'])} ms, "
             f"cost_function {fmt(1e3 * t['cost_min'])} ms, figure {fmt(1e3 * t['figure_min'])} "
             f"ms (baseline {fmt(1e3 * t['base_figure_min'])} ms)"]
    for kind in ("loop", "vectorized", "baseline"):
        r = runs[kind]
        its = len(r["stamps"]) - 1
        evals = (f"{r['f_evals'] / its:.2f} cost + {r['g_evals'] / its:.2f} gradient "
                 "evaluations per iteration" if "f_evals" in r and "g_evals" in r and its
                 else "evaluations not counted")
        lines.append(
            f"  {kind:10s} run: {its} iterations in {r['total']:.1f} s ({evals}); lowest test "
            f"cost {r['best_J_test']:.4f} at iteration {r['best_iteration']}, test accuracy "
            f"{100 * r['best_acc_test']:.1f}%; peak RSS ({r['rss_how']}) {r['rss_before']:.0f} "
            f"-> {r['rss_peak']:.0f} MB")
    if len(base["stamps"]) - 1 < maxiter:
        lines.append(f"  ~: the baseline ran {len(base['stamps']) - 1} iterations; its "
                     f"{maxiter}-iteration time is estimated as its seconds per iteration times "
                     f"{maxiter}")
    return lines


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description="Benchmark ann.py against a baseline written the article's way.")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke test: fewer repetitions and 60-iteration whole runs")
    parser.add_argument("--maxiter", type=int, default=None, metavar="N",
                        help=f"iterations of ann.py's whole runs (default {MAXITER_FULL}, "
                             f"{MAXITER_QUICK} with --quick)")
    parser.add_argument("--baseline-iters", type=int, default=BASELINE_ITERS, metavar="N",
                        help="iterations of the baseline's whole run, and of the per-iteration "
                             f"comparison (default {BASELINE_ITERS}, at most --maxiter)")
    parser.add_argument("--train", metavar="CSV",
                        help="training set (default: train.csv next to ann.py)")
    parser.add_argument("--test", metavar="CSV",
                        help="test set (default: test.csv next to ann.py)")
    parser.add_argument("--no-tutorial", action="store_true",
                        help="leave out the tutorial's set even where ../shared has it")
    parser.add_argument("--blas-threads", type=int, metavar="N",
                        help="BLAS threads (sets OPENBLAS_NUM_THREADS, OMP_NUM_THREADS and "
                             "MKL_NUM_THREADS): default 1, for steady numbers on a shared "
                             "machine, unless the environment sets them; 0: the library's "
                             "default")
    parser.add_argument("--child", choices=("loop", "vectorized", "baseline"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--child-data", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if (args.train is None) != (args.test is None):
        parser.error("give --train and --test together")
    if args.maxiter is None:
        args.maxiter = MAXITER_QUICK if args.quick else MAXITER_FULL
    if args.maxiter < 1 or args.baseline_iters < 1:
        parser.error("--maxiter and --baseline-iters must be 1 or more")
    return args


def main(argv=None):
    args = parse_args(argv)
    if args.child:
        return child_main(args.child, args.child_data, args.maxiter)
    began = time.perf_counter()
    maxiter = args.maxiter
    base_iters = min(args.baseline_iters, maxiter)
    rounds, figure_rounds, at_least = (5, 4, 0.005) if args.quick else (15, 12, 0.02)

    sets, skipped = [], []
    train = args.train or os.path.join(ROOT, "train.csv")
    test = args.test or os.path.join(ROOT, "test.csv")
    if os.path.exists(train) and os.path.exists(test):
        sets.append(("A", load_set("given" if args.train else "project", train, test)))
    else:
        skipped.append(f"the project's set ({train}, {test}) is not there yet: not measured")
    tutorial_train = os.path.join(TUTORIAL, "train.csv")
    if not args.no_tutorial and os.path.isdir(TUTORIAL):
        if not sets or os.path.realpath(train) != os.path.realpath(tutorial_train):
            sets.append(("B" if sets else "A", load_set(
                "tutorial", tutorial_train, os.path.join(TUTORIAL, "test.csv"))))
    if not sets:
        print("bench.py: error: no data set: " + "; ".join(skipped), file=sys.stderr)
        return 2

    out = header(sets, args, maxiter, base_iters, rounds, figure_rounds)
    load = load_average()
    if load > 0.5 * (os.cpu_count() or 1):
        out.append(f"warning: the machine is busy (load average {load:.1f} on {os.cpu_count()} "
                   "cores): every time is inflated"
                   + ("" if blas_threads() == 1 else ", and a BLAS running several threads "
                      "can slow down many times over when they must share cores"))
    out += [f"note: {s}" for s in skipped]
    print("\n".join(out), flush=True)
    per_set, all_notes = [], []
    for key, s in sets:
        print(f"measuring data set {key} ({s['name']}) ...", file=sys.stderr, flush=True)
        t = micro(s["X"], s["y"], s["Xt"], s["yt"], rounds, figure_rounds, at_least)
        with tempfile.TemporaryDirectory() as data_dir:
            for name in ("X", "y", "Xt", "yt"):
                np.save(os.path.join(data_dir, name + ".npy"), s[name])
            runs = {}
            for kind in ("baseline", "loop", "vectorized"):
                print(f"  whole run: {kind} ...", file=sys.stderr, flush=True)
                runs[kind] = whole_run(kind, data_dir,
                                       base_iters if kind == "baseline" else maxiter)
        per_set.append((key, rows_for(t, runs, maxiter, base_iters)))
        all_notes += notes(key, t, runs, maxiter)
    print()
    print("\n".join(table(per_set)))
    print()
    print("\n".join(all_notes))
    print()
    print("targets (ratios are baseline time / ann.py time; the floor ratio is "
          "gradient_vectorized / floor; verdicts use the medians):")
    for label, about, target in TARGETS:
        for key, rows in per_set:
            row = next(r for r in rows if r[0].startswith(label))
            measured = (f"{fmt(row[2])} ms, {fmt(row[4])}x" if label.startswith("figure")
                        else f"{fmt(row[4])}x")
            print(f"  {about:34s} {target:20s} set {key}: {measured:16s} {row[6]}")
    print(f"\nbenchmark took {time.perf_counter() - began:.0f} s; load average "
          f"{load_average():.2f} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
