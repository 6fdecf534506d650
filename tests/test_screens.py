"""The live figure where a learner really runs ann.py (the full tier): a window on a virtual
display (xvfb-run), a real Jupyter kernel (inline images and ipympl), and a Python without Tk."""
import importlib.util
import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import (ROOT, filled_exercise, needs, needs_xvfb, run_ann, toy_images,
                      write_csv)

pytestmark = pytest.mark.full


# ---- in a window, on a virtual display -----------------------------------------------------------

def run_in_window(script, *args, screen="1280x1024"):
    """Run a Python script that drives ann.main(ARGS) on a virtual display of the screen size
    given, with matplotlib's default (interactive) backend; returns the CompletedProcess."""
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)
    env["PYTHONPATH"] = ROOT
    return subprocess.run(["xvfb-run", "-a", "-s", f"-screen 0 {screen}x24", sys.executable,
                           "-c", script, *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=300)


@needs(shutil.which("xvfb-run") and shutil.which("xwininfo"), "xvfb-run and xwininfo "
       "(Debian's xvfb and x11-utils)")
@pytest.mark.parametrize("width, height", [(1280, 720), (1366, 768)])
def test_a_real_window_fits_a_laptops_screen_and_shows_the_last_iteration_and_the_final_figure(
        toy_csvs, tmp_path, width, height):
    script = (
        "import subprocess, sys, ann, matplotlib.pyplot as plt\n"
        "from companions import finish, screens\n"
        "real_mistakes, original, titles = finish.mistakes_shown, screens.Screen.draw, []\n"
        "def mistakes(*args):\n"
        "    fig = real_mistakes(*args)\n"
        "    print('mistakes in a window', type(fig.canvas.manager).__name__)\n"
        "    return fig\n"
        "def recording(self):\n"
        "    manager = type(self.fig.canvas.manager).__name__\n"
        "    titles.append((manager, self.fig._suptitle.get_text()))\n"
        "    original(self)\n"
        "    self.fig.canvas.flush_events()\n"
        "    print(subprocess.run(['xwininfo', '-name', 'ann.py: training'],\n"
        "                         capture_output=True, text=True).stdout)\n"
        "finish.mistakes_shown, screens.Screen.draw = mistakes, recording\n"
        "real_close = screens.close\n"
        "def close(screen, figures, *args):     # measured before the window closes\n"
        "    real_close(screen, figures[1:], *args)\n"
        "screens.close = close\n"
        "status = ann.main(sys.argv[1:])\n"
        "print('backend', plt.get_backend(), 'draws', len(titles), *{m for m, _ in titles})\n"
        "print('titles', titles[-2][1], '|', titles[-1][1].replace(chr(10), ' / '))\n"
        "fig = plt.figure(1)\n"
        "texts = [t for t in fig.findobj(lambda a: hasattr(a, 'get_fontsize')) if t.get_text()]\n"
        "print('smallest text', min(t.get_fontsize() for t in texts) * fig.dpi / 72, 'px')\n"
        "print('figures left open', len(plt.get_fignums()))\n"
        "sys.exit(status)\n")
    out = run_in_window(script, "--train", toy_csvs[0], "--test", toy_csvs[1], "--maxiter", "4",
                        "--close-when-done", "--save", tmp_path / "window.png", "--mistakes",
                        tmp_path / "mistakes.png", screen=f"{width}x{height}")
    assert out.returncode == 0, out.stderr
    assert "no display" not in out.stdout and "GUI toolkit" not in out.stdout
    backend, count, managers = re.search(r"backend (\S+) draws (\d+) (.*)", out.stdout).groups()
    # every draw went to a real window (off-screen figures have a FigureManagerBase), at least
    # the initial weights, the last iteration and the kept weights' final figure
    assert backend.lower() != "agg" and managers.split() == ["FigureManagerTk"] and int(count) >= 3
    last, final = re.search(r"titles (.*) \| (.*)", out.stdout).groups()
    assert last.startswith("iteration 4/4:") and final.startswith("training done, ")
    assert "kept weights (iteration" in final
    # the window, titled, lies inside the screen with room for a desktop's panels, landscape,
    # most of the screen's width, and no text in it is under 10 pixels
    window = out.stdout.split("xwininfo: Window id:")[-1]
    x, y, w, h = (int(re.search(rf"{key}:\s+(-?\d+)", window).group(1)) for key in (
        "Absolute upper-left X", "Absolute upper-left Y", "Width", "Height"))
    assert '"ann.py: training"' in window and 0 <= x and x + w <= width and 0 <= y
    assert y + h <= height - 100 and 0.9 * width <= w and h < 0.6 * w, (x, y, w, h)
    assert float(re.search(r"smallest text ([\d.]+) px", out.stdout).group(1)) >= 10
    # --mistakes: a window of its own, closed with the run's; every file written
    assert "mistakes in a window FigureManagerTk" in out.stdout
    assert "figures left open 1" in out.stdout      # the run's, measured, then closed
    for name in ("window.png", "mistakes.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@needs_xvfb
def test_closing_the_window_stops_training_and_reports_the_best_weights(toy_csvs, tmp_path):
    figure = tmp_path / "closed.png"
    script = (
        "import sys, ann, matplotlib.pyplot as plt\n"
        "from companions import screens\n"
        "draws = []\n"
        "original = screens.Screen.draw\n"
        "def draw_then_close(self):\n"
        "    original(self)\n"
        "    draws.append(1)\n"
        "    if len(draws) == 3:\n"
        "        plt.close(self.fig)          # as if the learner closed the window\n"
        "screens.Screen.draw = draw_then_close\n"
        "sys.exit(ann.main(sys.argv[1:]))\n")
    # 3000 training images: far from converged when the window closes
    train = write_csv(tmp_path / "big_train.csv", *toy_images(1000, seed=1))
    out = run_in_window(script, "--train", train, "--test", toy_csvs[1], "--maxiter", "100000",
                        "--save", str(figure))
    assert out.returncode == 0, out.stderr
    stopped = re.search(r"training window closed after (\d+) iterations", out.stdout)
    assert stopped, out.stdout[-2000:]
    last = int(re.findall(r"^iter=\s*(\d+):", out.stdout, re.MULTILINE)[-1])
    assert last == int(stopped.group(1)) < 100000
    assert "kept the weights of iteration" in out.stdout
    assert "close the window to exit" not in out.stdout
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ---- in a Jupyter kernel -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    """A real IPython kernel (this Python), with the environment a notebook has: matplotlib's
    inline backend, not the tests' agg."""
    for module in ("jupyter_client", "ipykernel"):
        pytest.importorskip(module, reason=f"needs {module} (pip install -r requirements-dev.txt)"
                                           "; CI runs it")
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


def assert_one_figure_updated_in_place(messages, at_least, others=0):
    """One image displayed, then updated in place (same display id) at least `at_least` times;
    no error, no other image but `others` (--mistakes's), nothing on stderr."""
    shown = [c for kind, c in messages if kind == "display_data"]
    updates = [c for kind, c in messages if kind == "update_display_data"]
    assert "image/png" in shown[0]["data"] and len(shown) == 1 + others, [k for k, _ in messages]
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


@pytest.mark.parametrize("way", ["%run ann.py", "ann.main", "%run my_ann.py"])
def test_in_a_notebook_one_figure_is_updated_in_place(kernel, toy_files, way):
    train, test, folder = toy_files
    options = ["--train", train, "--test", test, "--maxiter", "30", "--save",
               str(folder / "run.png")] + (["--mistakes", str(folder / "m.png")] if way ==
                                           "%run ann.py" else [])
    script = (filled_exercise(folder / f"my_ann_{len(os.listdir(folder))}.py")
              if way == "%run my_ann.py" else os.path.join(ROOT, "ann.py"))
    messages = run_cell(kernel, f"%run {script} {' '.join(options)}" if way != "ann.main" else
                        f"import ann\nprint('status', ann.main({options + ['--vectorized']}))")
    out = stdout_of(messages)
    assert ("status 0" in out if way == "ann.main" else
            "training reached --maxiter after 30" in out and out.count("iter=") == 30)
    assert ("All six are right" in out) == (way == "%run my_ann.py")
    assert "close the window" not in out and "no display" not in out
    assert_one_figure_updated_in_place(messages, at_least=3, others=way == "%run ann.py")
    if way == "%run ann.py":              # --mistakes: its figure below, after the summary
        order = [kind if kind != "stream" else c["text"] for kind, c in messages]
        summary_at = max(i for i, item in enumerate(order) if "kept the weights" in item)
        assert order.index("display_data", summary_at) > summary_at
        assert (folder / "m.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_after_run_ann_py_the_kernel_shows_an_error_as_itself_and_imports_ann_anew(kernel,
                                                                                  toy_files):
    train, test, folder = toy_files
    run_cell(kernel, f"%run {os.path.join(ROOT, 'ann.py')} --train {train} --test {test} "
                     f"--maxiter 2 --no-plot --save {folder / 'r.png'}")
    client = kernel[1]
    client.execute("1 / 0")
    reply = client.get_shell_msg(timeout=60)
    assert reply["content"]["status"] == "error", reply["content"]
    assert reply["content"]["ename"] == "ZeroDivisionError"
    out = stdout_of(run_cell(kernel, "import ann\n"
                                     "print('module', ann.__name__, ann.main.__module__)"))
    assert "module ann ann" in out


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
    assert "\nCtrl-C: training stops after the current evaluation" in out    # said at once
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


# ---- a Python without Tk -------------------------------------------------------------------------

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
def test_under_xvfb_a_python_without_tk_names_the_missing_toolkit_and_trains_on(
        toy_csvs, tmp_path, python_without_tk):
    result = run_ann("--train", toy_csvs[0], "--test", toy_csvs[1], "--maxiter", "3",
                     "--save", str(tmp_path / "f.png"), headless=False,
                     runner=("xvfb-run", "-a"), env=python_without_tk)
    assert result.returncode == 0, result.stderr
    first = result.stdout.splitlines()[0]
    assert "no display" not in first and "tkinter is missing" in first, first
    assert "sudo apt install python3-tk" in first and "pip install PyQt6" in first, first
    assert (tmp_path / "f.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
