"""The live figure wherever a learner runs ann.py: a real Jupyter kernel, a desktop without a GUI
toolkit, no display at all, and the pacing of redraws (at most about 20 a second)."""
import importlib.util
import os
import re
import sys

import numpy as np
import pytest

import ann
from companions import display, figure
from conftest import ROOT, needs_xvfb, run_ann, toy_images, write_csv

jupyter_client = pytest.importorskip("jupyter_client", reason="jupyter_client is not installed")
pytest.importorskip("ipykernel", reason="ipykernel is not installed")


# ---- in a Jupyter kernel -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    """A real IPython kernel (this Python), with the environment a notebook has: matplotlib's
    inline backend, not the tests' agg."""
    from jupyter_client.manager import start_new_kernel
    env = dict(os.environ, PYTHONPATH=ROOT)
    env.pop("MPLBACKEND", None)
    manager, client = start_new_kernel(kernel_name="python3", env=env,
                                       cwd=str(tmp_path_factory.mktemp("notebook")))
    yield manager, client
    client.stop_channels()
    manager.shutdown_kernel(now=True)


def run_cell(kernel, code, interrupt_after_iterations=None, timeout=180):
    """Execute code in the kernel; returns its iopub messages (type, content), in order. With
    interrupt_after_iterations, interrupt the kernel once that many progress lines came."""
    manager, client = kernel
    msg_id = client.execute(code)
    messages, iterations, interrupted = [], 0, False
    while True:
        msg = client.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "status" and content["execution_state"] == "idle":
            break
        messages.append((kind, content))
        if kind == "stream":
            iterations += content["text"].count("iter=")
        if (interrupt_after_iterations is not None and not interrupted
                and iterations >= interrupt_after_iterations):
            manager.interrupt_kernel()
            interrupted = True
    reply = client.get_shell_msg(timeout=timeout)
    assert reply["content"]["status"] == "ok", reply["content"]
    return messages


def stdout_of(messages):
    return "".join(c["text"] for kind, c in messages if kind == "stream" and c["name"] == "stdout")


def assert_one_figure_updated_in_place(messages, at_least):
    """One image displayed, then updated in place (same display id) at least `at_least` times;
    no error, no other image, nothing on stderr."""
    shown = [c for kind, c in messages if kind == "display_data"]
    updates = [c for kind, c in messages if kind == "update_display_data"]
    assert len(shown) == 1 and "image/png" in shown[0]["data"], [k for k, _ in messages]
    display_id = shown[0]["transient"]["display_id"]
    assert len(updates) >= at_least
    assert all(u["transient"]["display_id"] == display_id and "image/png" in u["data"]
               for u in updates)
    assert not [kind for kind, _ in messages if kind == "error"]
    assert not [c for kind, c in messages if kind == "stream" and c["name"] == "stderr"]
    # the last image is the kept weights' figure, sent after the summary was printed
    order = [kind if kind != "stream" else c["text"] for kind, c in messages]
    summary_at = max(i for i, item in enumerate(order) if "kept the weights" in item)
    assert "update_display_data" in order[summary_at:]


@pytest.fixture(scope="module")
def toy_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("data")
    return (write_csv(folder / "train.csv", *toy_images(30, seed=1)),
            write_csv(folder / "test.csv", *toy_images(10, seed=2)), folder)


def test_percent_run_in_a_notebook_updates_one_figure_in_place(kernel, toy_files):
    train, test, folder = toy_files
    messages = run_cell(kernel, f"%run {os.path.join(ROOT, 'ann.py')} --train {train} "
                                f"--test {test} --maxiter 30 --save {folder / 'run.png'}")
    out = stdout_of(messages)
    assert out.count("iter=") == 30 and "training reached --maxiter after 30" in out
    assert "close the window" not in out and "no display" not in out
    assert_one_figure_updated_in_place(messages, at_least=3)


def test_ann_main_in_a_notebook_updates_one_figure_in_place(kernel, toy_files):
    train, test, folder = toy_files
    messages = run_cell(kernel, f"import ann\nstatus = ann.main(['--train', {train!r}, '--test', "
                                f"{test!r}, '--maxiter', '30', '--vectorized', '--save', "
                                f"{str(folder / 'main.png')!r}])\nprint('status', status)")
    out = stdout_of(messages)
    assert "status 0" in out and "close the window" not in out
    assert_one_figure_updated_in_place(messages, at_least=3)


def test_interrupting_the_kernel_ends_training_as_ctrl_c_does(kernel, tmp_path):
    # 3000 training images and the looped gradient: far from done when the interrupt comes
    train = write_csv(tmp_path / "train.csv", *toy_images(1000, seed=1))
    test = write_csv(tmp_path / "test.csv", *toy_images(10, seed=2))
    messages = run_cell(kernel, f"%run {os.path.join(ROOT, 'ann.py')} --train {train} --test "
                                f"{test} --maxiter 100000 --save {tmp_path / 'f.png'}",
                        interrupt_after_iterations=3)
    out = stdout_of(messages)
    stopped = re.search(r"training interrupted \(Ctrl-C\) after (\d+) iterations", out)
    assert stopped, out[-2000:]
    assert "kept the weights of iteration" in out and "test set:" in out
    assert (tmp_path / "f.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert_one_figure_updated_in_place(messages, at_least=1)     # no traceback, no SystemExit


def test_with_ipympl_the_canvas_is_shown_once_and_sent_new_images_while_training(
        kernel, toy_files):
    if importlib.util.find_spec("ipympl") is None:     # not imported here: it is the kernel's
        pytest.skip("ipympl (the widget backend) is not installed")
    train, test, folder = toy_files
    run_cell(kernel, "%matplotlib widget")
    try:
        messages = run_cell(kernel, f"import ann\nann.main(['--train', {train!r}, '--test', "
                                    f"{test!r}, '--maxiter', '30', '--save', "
                                    f"{str(folder / 'widget.png')!r}])")
    finally:
        run_cell(kernel, "%matplotlib inline")
    shown = [c for kind, c in messages if kind == "display_data"]
    assert len(shown) == 1 and shown[0]["data"]["text/plain"].startswith("Canvas(")
    # ipympl sends each new image as a binary message on the canvas's comm, at once
    images = [c for kind, c in messages
              if kind == "comm_msg" and '"binary"' in str(c["data"].get("content", ""))]
    assert len(images) >= 3
    assert not [kind for kind, _ in messages if kind == "error"]
    assert "close the window" not in stdout_of(messages)


# ---- on a desktop without a GUI toolkit, and with no display at all ------------------------------

BLOCK_TKINTER = """\
import sys
class NoTk:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("tkinter", "_tkinter"):
            raise ImportError("tkinter is blocked by the test (as on Python without Tk)")
sys.meta_path.insert(0, NoTk())
"""


@pytest.fixture
def python_without_tk(tmp_path):
    """Environment variables for a Python whose `import tkinter` fails, as Debian's python3
    without python3-tk: a sitecustomize that blocks the import."""
    (tmp_path / "sitecustomize.py").write_text(BLOCK_TKINTER)
    return {"PYTHONPATH": str(tmp_path)}


@needs_xvfb
def test_a_display_without_tk_says_which_toolkit_is_missing_and_how_to_install_it(
        toy_csvs, tmp_path, python_without_tk):
    result = run_ann("--train", toy_csvs[0], "--test", toy_csvs[1], "--maxiter", "3",
                     "--save", str(tmp_path / "f.png"), headless=False,
                     runner=("xvfb-run", "-a"), env=python_without_tk)
    assert result.returncode == 0, result.stderr
    first = result.stdout.splitlines()[0]
    assert "no display" not in first and "tkinter is missing" in first, first
    assert "sudo apt install python3-tk" in first and "pip install PyQt6" in first, first
    assert (tmp_path / "f.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_without_any_display_it_says_no_display(toy_csvs, tmp_path, python_without_tk):
    env = dict(python_without_tk, DISPLAY="", WAYLAND_DISPLAY="")
    result = run_ann("--train", toy_csvs[0], "--test", toy_csvs[1], "--maxiter", "3",
                     "--save", str(tmp_path / "f.png"), headless=False, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("no display (matplotlib backend 'agg')"), result.stdout[:300]


def test_the_advice_names_the_platforms_toolkit(monkeypatch):
    for platform, command in (("linux", "sudo apt install python3-tk"),
                              ("darwin", "brew install python-tk"), ("win32", "tcl/tk")):
        monkeypatch.setattr(sys, "platform", platform)
        advice = display.missing_toolkit_advice()
        assert command in advice and "pip install PyQt6" in advice


# ---- redraws at the eye's pace --------------------------------------------------------------------

def test_the_pacer_allows_one_frame_per_interval():
    now = [0.0]
    pacer = display.Pacer(0.05, clock=lambda: now[0])
    allowed = []
    for step in range(1000):                      # 1000 frames offered, 1 ms apart: 1 s
        now[0] = step * 0.001
        allowed.append(pacer.due())
    assert allowed[0] and sum(allowed) == 20       # at 0, 0.05, ..., 0.95 s


def test_a_slow_frame_makes_the_next_wait_so_drawing_takes_at_most_an_eighth_of_the_time():
    now = [0.0]
    pacer = display.Pacer(0.05, clock=lambda: now[0])
    drawn_at = []
    for step in range(2000):                      # 2 s of iterations, 1 ms apart
        now[0] = step / 1000
        if pacer.due():
            drawn_at.append(now[0])
            now[0] += 0.03                        # each frame takes 30 ms to draw
            pacer.drawn()
    assert np.diff(drawn_at).min() >= 0.24 - 1e-9  # 30 ms is an eighth of 240 ms
    assert len(drawn_at) * 0.03 <= (drawn_at[-1] + 0.24) / 8


def test_600_fast_iterations_draw_at_most_20_frames_a_second_and_always_the_last(
        toy_csvs, tmp_path, monkeypatch, capsys):
    now = [0.0]

    def clock():                 # every iteration takes 1/64 s of this clock (exact in binary)
        now[0] += 1 / 64
        return now[0]
    drawn = []
    monkeypatch.setattr(display, "choose_screen", lambda no_plot: display.Screen(
        "window", display.WINDOW_INTERVAL, clock=clock))
    monkeypatch.setattr(display.Screen, "show", lambda self, fig, changing, on_close: setattr(
        self, "fig", fig))
    monkeypatch.setattr(display.Screen, "draw",
                        lambda self: drawn.append(self.fig._suptitle.get_text()))
    monkeypatch.setattr(display, "close", lambda screen, fig, keep_open: None)
    status = ann.main(["--train", toy_csvs[0], "--test", toy_csvs[1], "--maxiter", "600",
                       "--vectorized", "--save", str(tmp_path / "f.png")])
    assert status == 0
    done = int(re.search(r"after (\d+) iterations", capsys.readouterr().out).group(1))
    assert done > 100
    iterations = [int(re.match(r"iteration (\d+):", t).group(1)) for t in drawn[:-1]]
    # a frame per 1/20 s, iterations 1/64 s apart: every 4th iteration (4/64 s >= 1/20 s >
    # 3/64 s), then the last iteration (always), then the kept weights' figure (always)
    assert iterations[:-1] == list(range(0, done, 4))
    assert len(drawn) <= done / 64 * 20 + 1 + 2
    assert iterations[-1] == done
    assert drawn[-1].startswith("kept weights (iteration")


def test_the_sample_galaxies_move_on_every_6_gif_frames_and_every_half_second_on_screen():
    class Recorder:                              # a GIF that wants every iteration
        frames = 0

        def wants(self, iteration):
            return True

        def grab(self):
            self.frames += 1
    steps = []
    frames = figure.Frames(None, Recorder())
    for iteration in range(14):
        frames.offer(iteration, steps.append)
    assert steps == [0] * 6 + [1] * 6 + [2] * 2

    now = [0.0]
    screen = display.Screen("window", 0.05, clock=lambda: now[0])
    screen.draw = lambda: None
    steps = []
    frames = figure.Frames(screen, None)
    for iteration in range(30):                  # 1/16 s apart: a frame every time
        now[0] = iteration / 16
        frames.offer(iteration, steps.append)
    assert steps == [t // 8 for t in range(30)]  # 8 frames make half a second


def test_with_a_gif_and_a_window_the_galaxies_follow_the_gif_and_never_jump_back():
    class Recorder:                              # a GIF that wants every third iteration
        frames = 0

        def wants(self, iteration):
            return iteration % 3 == 0

        def grab(self):
            self.frames += 1
    now = [1000.0]                               # a monotonic clock far from zero
    screen = display.Screen("window", 0.05, clock=lambda: now[0])
    screen.draw = lambda: None
    steps = []
    frames = figure.Frames(screen, Recorder())
    for iteration in range(60):
        now[0] += 0.1                            # a screen frame every iteration
        frames.offer(iteration, steps.append)
    assert steps == sorted(steps) and steps[0] == 0 and steps[-1] == 59 // 3 // 6
