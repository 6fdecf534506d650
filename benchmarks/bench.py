"""bench.py: how fast ann.py is, in one table, each row a ratio measured in this one run; a
column for the project's data set (or --train/--test) and one for the tutorial's where there is
../shared/data/galaxyzoo. One BLAS thread in every process unless the environment sets others.

    pip install -r benchmarks/requirements.txt   # scikit-learn, for its row only
    python benchmarks/bench.py                   # both data sets: under 2 minutes (docs/speed.md)
    python benchmarks/bench.py --quick --train T.csv --test S.csv --no-tutorial   # smoke test
"""
import argparse
import importlib.metadata
import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings

THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
for name in THREADS:               # before numpy loads its BLAS; every child inherits them
    os.environ.setdefault(name, "1")

import matplotlib  # noqa: E402
import numpy as np  # noqa: E402

matplotlib.use("Agg")              # this process and its children draw off-screen
import matplotlib.pyplot as plt  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "tests")]     # ann.py; the article's script, transcribed
import ann  # noqa: E402
import article_script  # noqa: E402
from companions import data, screens  # noqa: E402

TUTORIAL = os.path.normpath(os.path.join(ROOT, "..", "shared", "data", "galaxyzoo"))
# alpha 10, the previous bench.py's choice (it gave no reason). scikit-learn's penalty is lambda's
# at alpha 1, but its softmax output makes another cost; at alpha 10 its 600 iterations end near
# ann.py's training accuracy (project's set: 81.6 % vs 82.3 %; alpha 1: 86.3 %), as fast.
SKLEARN_ALPHA = 10.0
# Runs `python SCRIPT ARGS`, then prints the process's own peak memory: VmHWM, not ru_maxrss,
# which on Linux starts a child at its parent's peak (vfork, then exec).
WITH_PEAK = """import atexit, runpy, sys
def peak():
    try:
        kb = [int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM')][0]
    except OSError:                                 # no /proc: ru_maxrss, in bytes on macOS
        import resource
        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        kb /= 1024 if sys.platform == 'darwin' else 1
    print('peak memory', kb / 1024, 'MB')
atexit.register(peak)
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name='__main__')"""


def run(args, runner=(), cwd=None):
    """`python ARGS` in a fresh process (under runner: xvfb-run), matplotlib's default backend:
    its output lines, each with the time it arrived (python -u), and its peak memory in MB."""
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"} | {"PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([*runner, sys.executable, "-c", WITH_PEAK, *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = [(time.perf_counter(), line.rstrip("\n")) for line in proc.stdout]
    if proc.wait() != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n" + "\n".join(l for _, l in lines[-20:]))
    peaks = [float(line.split()[2]) for _, line in lines if line.startswith("peak memory ")]
    return lines, peaks[-1] if peaks else float("nan")


def ann_run(options, train, test, folder, runner=()):
    """`python ann.py OPTIONS`: seconds from its first progress line (`initial:`) to its last
    (`iter=N:`), N, its peak memory, and what it said if it trained without a window."""
    lines, peak = run([os.path.join(ROOT, "ann.py"), *options, "--train", train, "--test", test],
                      runner, cwd=folder)
    progress = [t for t, line in lines if line.startswith(("initial:", "iter="))]
    said = [line for _, line in lines if "training without" in line]
    return progress[-1] - progress[0], max(1, len(progress) - 1), peak, said


def interleaved(functions, rounds):
    """{name: median milliseconds of a call of fn}: a call each a round, the order rotated."""
    names, samples = list(functions), {name: [] for name in functions}
    for fn in functions.values():      # a first call to warm up (a frame's: a full draw)
        fn()
    for r in range(rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            start = time.perf_counter()
            functions[name]()
            samples[name].append(1e3 * (time.perf_counter() - start))
    return {name: float(np.median(s)) for name, s in samples.items()}


def per_call(X, y, Xt, yt, K, rounds):
    """Milliseconds a call, interleaved: the looped gradient, gradient_vectorized and a figure's
    frame, each with its reference's."""
    sizes, lmbda = (X.shape[1], ann.HIDDEN_LAYER_SIZE, K), ann.LMBDA
    theta = ann.initial_weights(*sizes, ann.SEED)
    Theta1, a1 = ann.reshape(theta, *sizes)[0], ann.add_bias(X)
    delta2 = np.random.RandomState(0).standard_normal((len(y), sizes[1]))
    history = ann.History(sizes, lmbda, X, y, Xt, yt, report=lambda line: None)
    thetas = [theta * (1 + 0.5 * k) for k in range(6)]    # the frames' weights and predictions
    for weights in thetas:
        history(weights)
    predictions = [ann.predict(*ann.reshape(weights, *sizes), X) for weights in thetas]
    live = ann.LiveFigure(X, y, K, sizes[1], ann.MAXITER)
    screen = screens.Screen("window", screens.WINDOW_INTERVAL)    # as a window's, on Agg
    screen.fig, screen.changing = live.fig, live.changing
    article_fig, frames = plt.figure(figsize=(6, 6), dpi=80), iter(range(10 ** 9))

    def frame():                  # LiveFigure.update, then the changed artists blitted
        k = next(frames)
        live.update(history, thetas[k % 6], predictions[k % 6], k)
        screen.draw()

    def article_frame():          # the article's: clear, redraw, draw all
        k = next(frames)
        article_script.redraw(article_fig, X, y, K, predictions[k % 6], history.J_train,
                              history.J_test, k)
        article_fig.canvas.draw()

    ms = interleaved({
        "gradient": lambda: ann.gradient(theta, *sizes, X, y, lmbda),
        "gradient, against": lambda: article_script.gradient(theta, *sizes, X, y, lmbda),
        "vectorized": lambda: ann.gradient_vectorized(theta, *sizes, X, y, lmbda),
        "vectorized, against": lambda: (a1 @ Theta1.T, delta2.T @ a1),       # the floor
        "frame": frame, "frame, against": article_frame}, rounds)
    plt.close("all")
    return {name: (ms[name], ms[f"{name}, against"])
            for name in ("gradient", "vectorized", "frame")}


def measure(train, test, args, folder):
    """One data set's rows: label, unit, ratio's word, (ann.py's, the reference's) or a skip."""
    print(f"measuring {train} ...", file=sys.stderr, flush=True)
    X, y, Xt, yt, K = data.load_sets(train, test)
    t = per_call(X, y, Xt, yt, K, args.rounds)
    lines, peak = run([os.path.abspath(__file__), "--child", "article", "--train", train,
                       "--test", test, "--maxiter", str(args.article_iters)])
    article = float([line for _, line in lines if line.startswith("seconds per")][-1].split()[-1])
    loop, loop_its, loop_peak, _ = ann_run(["--no-plot", "--maxiter", str(args.loop_iters)],
                                           train, test, folder)
    fast_args = ["--vectorized", "--maxiter", str(args.maxiter)]
    fast_seconds, fast_its, fast_peak, _ = ann_run([*fast_args, "--no-plot"], train, test, folder)
    loop, fast = loop / loop_its, fast_seconds / fast_its               # seconds per iteration
    live = "skipped: no display"
    runner = () if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") else \
        ("xvfb-run", "-a") if shutil.which("xvfb-run") else None
    if runner is not None:
        shown, _, _, said = ann_run([*fast_args, "--close-when-done"], train, test, folder, runner)
        live = f"skipped: no window ({said[0][:60]})" if said else (shown, fast_seconds)
    sk = "skipped (pip install -r benchmarks/requirements.txt)"
    if args.sklearn:                # its fit of ann.py's network, in this process
        from sklearn.neural_network import MLPClassifier
        clf = MLPClassifier(hidden_layer_sizes=(ann.HIDDEN_LAYER_SIZE,), activation="logistic",
                            solver="lbfgs", alpha=SKLEARN_ALPHA, max_iter=args.maxiter,
                            random_state=ann.SEED)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")      # that it stopped at max_iter, as ann.py does
            start = time.perf_counter()
            clf.fit(X, y)
        sk = (fast_seconds, time.perf_counter() - start)
    its = f"article's first {args.article_iters}"
    return [("gradient, looped, per call, vs the article's", "ms", "faster", t["gradient"]),
            ("gradient_vectorized, per call, vs its floor", "ms", "floor", t["vectorized"]),
            (f"looped run: first {loop_its} its; {its}", "s/it", "faster", (loop, article)),
            (f"--vectorized run: {fast_its} its; {its}", "s/it", "faster", (fast, article)),
            ("figure: one frame, vs the article's redraw", "ms", "faster", t["frame"]),
            (f"live --vectorized run{' under xvfb-run' if runner else ''} vs headless", "s",
             "headless", live),
            (f"--vectorized training vs sklearn, {args.maxiter} its", "s", "sklearn", sk),
            ("peak memory: looped run, vs the article's", "MB", "more", (loop_peak, peak)),
            ("peak memory: --vectorized run, vs the article's", "MB", "more", (fast_peak, peak))]


def ratio(a, b, word):
    """The reference's time over ann.py's ("x faster"), else ann.py's number over it."""
    x = b / a if word == "faster" else a / b
    if word in ("faster", "more") and x < 1:
        x, word = 1 / x, {"faster": "slower", "more": "less"}[word]
    return f"{x:.3g} x {word}"


def table(names, columns):
    """A line of the data sets' names, the headings, then a line a row."""
    lines = [" " * 54 + "".join(f" | {name:^34}" for name in names),
             f"{'row':48} {'unit':>5}" + f" | {'ann.py':>8} {'against':>8} {'ratio':>14}"
             * len(names)]
    lines.append("-" * len(lines[1]))
    for rows in zip(*columns):
        (label, unit, word, _), cells = rows[0], [row[3] for row in rows]
        line = f"{label:48} {unit:>5}"
        if all(isinstance(cell, str) for cell in cells) and len(set(cells)) == 1:
            lines.append(f"{line} | {cells[0]}")      # skipped alike in every set: said once
            continue
        for cell in cells:
            line += f" | {cell:34}" if isinstance(cell, str) else \
                f" | {cell[0]:8.3g} {cell[1]:8.3g} {ratio(*cell, word):>14}"
        lines.append(line.rstrip())
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description="ann.py's speed, in one table of ratios.")
    parser.add_argument("--quick", action="store_true", help="a smoke test of a few seconds")
    parser.add_argument("--train", help="training CSV (default: the project's train.csv)")
    parser.add_argument("--test", help="test CSV (default: the project's test.csv)")
    parser.add_argument("--no-tutorial", action="store_true",
                        help="leave out the tutorial's set, even where ../shared has it")
    parser.add_argument("--child", choices=["article"], help=argparse.SUPPRESS)
    parser.add_argument("--maxiter", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:      # the article's script's run, its figure redrawn every iteration (Agg)
        X, y, Xt, yt, _ = data.load_sets(args.train, args.test)
        fig, stamps, start = plt.figure(figsize=(6, 6), dpi=80), [], time.perf_counter()
        article_script.run(X, y, Xt, yt, args.maxiter, figure=fig,
                           on_iteration=lambda: stamps.append(time.perf_counter()))
        print("seconds per iteration", (stamps[-1] - start) / len(stamps))
        return 0
    if (args.train is None) != (args.test is None):
        parser.error("give --train and --test together")
    args.rounds, args.loop_iters, args.article_iters = (2, 5, 3) if args.quick else (15, 100, 10)
    args.maxiter = 20 if args.quick else ann.MAXITER
    began = time.perf_counter()
    sets = [("given CSVs" if args.train else "project: train.csv, test.csv",
             args.train or os.path.join(ROOT, "train.csv"),
             args.test or os.path.join(ROOT, "test.csv"))]
    if not args.no_tutorial and os.path.isdir(TUTORIAL):
        sets.append(("tutorial: ../shared/data/galaxyzoo", os.path.join(TUTORIAL, "train.csv"),
                     os.path.join(TUTORIAL, "test.csv")))
    note = "" if len(sets) == 2 else "\ntutorial's set: " + (
        "left out (--no-tutorial)" if args.no_tutorial else f"skipped: no {TUTORIAL}")
    load = lambda: os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")  # noqa
    installed = {(d.metadata["Name"] or "").lower(): d.version
                 for d in importlib.metadata.distributions()}
    args.sklearn = installed.get("scikit-learn")
    versions = ", ".join(f"{package} {installed.get(package, 'not installed')}"
                         for package in ("numpy", "scipy", "matplotlib", "scikit-learn"))
    print(f"{' '.join(['bench.py', *sys.argv[1:]])}: {time.strftime('%Y-%m-%d %H:%M')}, "
          f"{os.cpu_count()} cores, load average {load():.2f}\n"
          f"Python {sys.version.split()[0]}, {versions}; "
          + ", ".join(f"{v}={os.environ[v]}" for v in THREADS) + " in every process" + note,
          flush=True)
    with tempfile.TemporaryDirectory() as folder:
        columns = [measure(train, test, args, folder) for _, train, test in sets]
    print("\n".join(table([name for name, _, _ in sets], columns)))
    print(f"took {time.perf_counter() - began:.0f} s; load average {load():.2f} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
