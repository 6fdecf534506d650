"""Shared test set-up: the two tiers (docs/developers.md), what may be missing, small data, how
to run ann.py, the one-line error, and a local server.

A test that needs the article's galaxies (beside the project, or in the tutorial_data/ that
`python ann.py --data tutorial` fetched) or xvfb-run skips where they are missing and says so;
in CI (the CI variable set) it fails instead, so that CI cannot pass by skipping them.
"""
import functools
import http.server
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
os.environ.setdefault("MPLBACKEND", "agg")     # tests draw off-screen unless they ask otherwise
from runs import summary  # noqa: E402,F401    what a run printed, as numbers
IN_CI = bool(os.environ.get("CI"))
# Full runs use one BLAS thread: a BLAS splits its sums differently with more threads, and the
# conjugate gradient run follows round-off, so the path would depend on the machine's cores.
ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

full = pytest.mark.full


def pytest_addoption(parser):
    parser.addoption("--full", action="store_true",
                     help="also run the full tier (the tests marked full): long runs, "
                          "regeneration, windows, kernels, faults; CI runs it")


def pytest_configure(config):
    config.addinivalue_line("markers", "full: the full tier, run with --full (and in CI)")
    config.addinivalue_line("markers", "needs(present, what): skips where `what` is missing")


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
    """A mark for a test that needs `what`: it skips where that is missing; in CI it fails."""
    return pytest.mark.needs(present=present, what=what)


@pytest.fixture(autouse=True)
def _needed(request):
    for mark in request.node.iter_markers("needs"):
        if not mark.kwargs["present"] and IN_CI:
            pytest.fail(f"{mark.kwargs['what']} is missing, and CI must run this test")


def tutorial_folder():
    """Where the article's galaxies are, checked: beside the project (CI), else where
    `python ann.py --data tutorial` stored them (a learner); None if neither holds them."""
    from companions import download
    for folder in (os.path.join(ROOT, "..", "shared", "data", "galaxyzoo"),
                   os.path.join(ROOT, "tutorial_data")):
        if download.tutorial_data_stored(folder):
            return folder
    return None


TUTORIAL = tutorial_folder() or os.path.join(ROOT, "tutorial_data")
TUTORIAL_CSVS = (os.path.join(TUTORIAL, "train.csv"), os.path.join(TUTORIAL, "test.csv"))
PROJECT_CSVS = (os.path.join(ROOT, "train.csv"), os.path.join(ROOT, "test.csv"))
needs_tutorial_data = needs(tutorial_folder() is not None, "the article's galaxies "
                            "(python ann.py --data tutorial downloads them)")
needs_xvfb = needs(shutil.which("xvfb-run") is not None, "xvfb-run (Debian's xvfb)")
# POSIX signals and file modes: Windows has neither in this form
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals or file modes")


# ---- small data ---------------------------------------------------------------------------------

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


# ---- running ann.py -----------------------------------------------------------------------------

def main_in_process(capsys, *args, main=None):
    """ann.main(ARGS) as `python ann.py ARGS` runs it, but in this process (fast); returns a
    CompletedProcess. A warning the user would see fails the test (not a DeprecationWarning one
    library raises about another: Python hides those from users). main: another entry point."""
    import warnings

    import ann
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("default", category=DeprecationWarning)
        status = (main or ann.main)([str(arg) for arg in args])
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess("ann.main", status, out, err)


def run_ann(*args, headless=True, runner=(), timeout=300, env=None, script=None, cwd=None):
    """Run `python ann.py ARGS` as a user would; returns the CompletedProcess.

    headless: use matplotlib's off-screen backend; otherwise matplotlib's own default.
    runner: a command to run it under, e.g. ("xvfb-run", "-a"). env: more environment
    variables. script: another script to run (a copy of ann.py, a learner's file). cwd: the
    folder to run it from.
    """
    environment = dict(os.environ)
    environment.pop("MPLBACKEND", None)
    if headless:
        environment["MPLBACKEND"] = "agg"
    environment.update(env or {})
    return subprocess.run([*runner, sys.executable, script or os.path.join(ROOT, "ann.py"),
                           *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          env=environment, cwd=cwd, stdin=subprocess.DEVNULL)   # no terminal


@functools.lru_cache(maxsize=None)
def full_run(data, *options):
    """The stdout of `python ann.py OPTIONS --no-plot` with one BLAS thread on data ("ours",
    "article's", or the paths of a training and a test set), run once a session however many
    tests read it (a whole run takes from ten seconds to two minutes)."""
    files = {"ours": PROJECT_CSVS, "article's": TUTORIAL_CSVS}.get(data, data)
    with tempfile.TemporaryDirectory() as folder:
        result = run_ann("--train", files[0], "--test", files[1], *options, "--no-plot",
                         "--save", os.path.join(folder, "f.png"), env=ONE_THREAD, timeout=1800)
    assert result.returncode == 0, result.stderr
    return result.stdout


# ---- what a whole run reaches, on every machine measured ---------------------------------------
# Conjugate gradient follows round-off, so a whole run's figures move with the BLAS kernel and its
# threads (docs/round-off.md). Each range holds every run benchmarks/kernels.py measured for that
# data (OpenBLAS's Prescott, Nehalem, Sandybridge and Haswell kernels, one and two threads, the
# loop and the vectorized gradient, numpy 1.24 and 2.4, the earlier Intel Xeon's runs, and for
# the carry-over an AVX-512 machine's five kernels),
# widened by a margin. Tests assert these, never one machine's digits. Keys: summary()'s.
ENVELOPES = {
    "ours": dict(kept=(150, 420), lowest=(1.41, 1.48), kept_test=(75.0, 78.5),
                 final_Jtrain=(0.98, 1.15), final_train=(80.0, 87.0)),
    "article's": dict(kept=(180, 600), lowest=(1.44, 1.65), kept_test=(70.5, 76.5),
                      final_Jtrain=(1.10, 1.31)),
    "ours -> article's": dict(kept_test=(67.5, 72.0), final_test=(66.5, 71.0)),
    "article's -> ours": dict(kept_test=(70.0, 77.0), final_test=(69.0, 78.0)),
}


def assert_within(run, data):
    """Each figure of run (a summary()) within the range ENVELOPES[data] gives it."""
    outside = {key: (run[key], limits) for key, limits in ENVELOPES[data].items()
               if not limits[0] <= run[key] <= limits[1]}
    assert not outside, f"{data}: outside what every machine measured gives: {outside}"


def assert_overfits_or_says_not(run, stdout, rise=0.02):
    """The article's lesson: the test cost reaches its lowest point, then rises by `rise` or
    more (every run measured that kept weights from before its last tenth rose by 0.045 or
    more). Or, where round-off has it still falling in the run's last tenth, the run says so."""
    if run["in_last_tenth"]:
        assert "was still falling at the end" in stdout
    else:
        assert run["rise"] >= rise and "still falling" not in stdout, run["rise"]


def filled_exercise(path):
    """The exercise's file, as --exercise writes it, filled with ann.py's own six functions."""
    assert run_ann("--exercise", path).returncode == 0
    with open(path) as f:
        source = f.read().replace('\n\nif __name__ == "__main__":', (
            "\nfrom ann import g, grad_g, predict, reshape, cost_function, gradient  # noqa\n"
            '\n\nif __name__ == "__main__":'))
    with open(path, "w") as f:
        f.write(source)
    return str(path)


def progress(stdout):
    """The progress lines of a run, `iter=  N: ...`, as a list."""
    return [line for line in stdout.splitlines() if line.startswith("iter=")]


def assert_one_line_error(result, *fragments, prefix="ann.py: error: "):
    """Exit status 2, no traceback, one line on stderr (after argparse's usage, for an option)
    `ann.py: error: ...` holding every fragment (the file, the row and column, what was
    expected), and nothing trained. Returns the line."""
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 2, (result.returncode, result.stdout[-2000:], result.stderr)
    lines = result.stderr.strip().splitlines()
    last = lines[-1]
    assert len(lines) == 1 or lines[0].startswith("usage: "), result.stderr
    assert last.startswith(prefix), result.stderr
    for fragment in fragments:
        assert fragment in last, (fragment, last)
    assert "iter=" not in result.stdout
    return last


# ---- a server on 127.0.0.1 whose every answer the test chooses -----------------------------------

class Handler(http.server.BaseHTTPRequestHandler):
    """Answers GET /NAME as server.routes[NAME] = (kind, body) says (default: a 404): "file",
    "status" (body: the code), "announce" (body: bytes, the Content-Length claimed),
    "unannounced", "endless", "silent", "trickle" (a byte each 50 ms), "half_then_wait",
    "reset" (half, then a TCP RST). HTTP/1.0: the connection's end ends a body."""

    def do_GET(self):
        self.server.requests.append(self.path)
        kind, body = self.server.routes.get(self.path.lstrip("/"), ("status", 404))
        if kind == "status":
            return self.send_error(body)
        if kind == "silent":
            return self.server.release.wait(10)
        body, length = body if kind == "announce" else (
            body, None if kind in ("unannounced", "endless") else len(body))
        self.send_response(200)
        if length is not None:
            self.send_header("Content-Length", str(length))
        self.end_headers()
        try:
            if kind in ("file", "announce", "unannounced"):
                self.wfile.write(body)
            elif kind == "endless":
                for _ in range(12_000):
                    self.wfile.write(b"0," * 4096)
            elif kind == "trickle":
                for i in range(len(body)):
                    if self.server.release.wait(0.05):
                        return
                    self.wfile.write(body[i:i + 1])
            else:
                self.wfile.write(body[:len(body) // 2])
                if kind == "reset":
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                               struct.pack("ii", 1, 0))
                    self.connection.close()
                else:
                    self.server.release.wait(10)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):       # keep the test output quiet
        pass


@pytest.fixture
def server():
    """A ThreadingHTTPServer on 127.0.0.1 (port 0): set server.routes; server.url, its address;
    server.requests, the paths asked for; server.stop() ends it early."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.routes, httpd.requests, httpd.release = {}, [], threading.Event()
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"

    def stop():
        if thread.is_alive():
            httpd.release.set()         # let waiting handlers end
            httpd.shutdown()
            httpd.server_close()
            thread.join(5)
    httpd.stop = stop
    yield httpd
    stop()
