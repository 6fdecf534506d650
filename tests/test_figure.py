"""The training figure, headless: what it shows, which iterations are drawn and when, the GIF,
and what a learner is told when no window can open. Each test's name says what must hold.
(A real window, a Jupyter kernel and a Python without Tk: tests/test_screens.py.)"""
import re
import sys

import numpy as np
import pytest

import ann
from companions import figure, screens
from conftest import main_in_process, toy_images


# ---- what the figure shows -----------------------------------------------------------------------

def test_sample_indices_choose_by_label_and_move_on_through_the_data():
    y = np.array([2, 0, 0, 1, 2, 2, 0, 1, 2])      # unsorted, unequal class sizes
    # class 0 is at rows 1, 2, 6; class 1 at 3, 7; class 2 at 0, 4, 5, 8: four of each class a
    # step, taking up where the last step left off and wrapping around
    np.testing.assert_array_equal(ann.figure.sample_indices(y, 3, 4, step=0),
                                  [[1, 2, 6, 1], [3, 7, 3, 7], [0, 4, 5, 8]])
    np.testing.assert_array_equal(ann.figure.sample_indices(y, 3, 4, step=1),
                                  [[2, 6, 1, 2], [3, 7, 3, 7], [0, 4, 5, 8]])
    # a class with no example (a test set may lack one) gets -1
    np.testing.assert_array_equal(ann.figure.sample_indices(y, 4, 2, step=0)[3], [-1, -1])


def toy_figure(hidden, count=4):
    """A LiveFigure of toy galaxies, the initial weights of a network with `hidden` units
    recorded: (figure, History, theta, X, y)."""
    y, pixels = toy_images(count)
    X, sizes = pixels / 255.0, (64, hidden, 3)
    history = ann.History(sizes, 1.0, X, y, X, y, report=lambda line: None)
    theta = ann.initial_weights(*sizes, seed=3)
    history(theta)
    return ann.LiveFigure(X, y, 3, hidden, maxiter=10), history, theta, X, y


@pytest.mark.parametrize("hidden", [1, 8, 30])
def test_the_hidden_units_are_drawn_on_one_scale_so_that_an_unused_one_is_faint(hidden):
    live, history, theta, X, y = toy_figure(hidden)
    Theta1, Theta2 = ann.reshape(theta, *history.sizes)
    Theta1[0, 1:] *= 10              # the first unit grew; the others stay near their start
    live.update(history, theta, ann.predict(Theta1, Theta2, X), step=0)
    assert len(live.unit_corners) == hidden
    tiled = live.units_image.get_array()
    tiles = [tiled[top:top + 8, left:left + 8] for top, left in live.unit_corners]
    scale = np.abs(Theta1[:, 1:]).max()       # the largest weight of all: +-1, 0 stays white
    for tile, weights in zip(tiles, Theta1):
        np.testing.assert_allclose(tile, weights[1:].reshape(8, 8) / scale)
    assert np.abs(tiles[0]).max() == 1.0 and all(np.abs(t).max() < 0.15 for t in tiles[1:])
    assert live.units_image.get_clim() == (-1, 1) and "faint" in live.units_ax.get_title()
    assert np.isnan(np.ma.getdata(tiled)).sum() == tiled.size - hidden * 64   # blank padding
    # a unit is drawn no larger than a galaxy, and below the galaxies
    unit_pixel = live.units_ax.get_position().width / tiled.shape[1]
    galaxy_pixel = live.galaxy_ax.get_position().width / live.galaxy_image.get_array().shape[1]
    assert unit_pixel <= galaxy_pixel + 1e-12
    assert live.units_ax.get_position().y1 < live.galaxy_ax.get_position().y0


def test_the_figure_shows_each_sample_with_its_prediction_coloured_by_correctness():
    live, history, theta, X, y = toy_figure(2, count=7)
    live.update(history, theta, np.zeros_like(y), step=0)    # "Elliptical" to everything
    assert len(live.texts) == 18
    for j, text in enumerate(live.texts):
        right = (j % 6) // 2 == 0                  # two columns per class: class 0 is right
        assert text.get_text() == "E" + " \u2713" * right
        assert text.get_color() == ("tab:blue" if right else "tab:red")
    top, left = live.corners[7]                   # row 1, column 1: class 0, sample 3,
    np.testing.assert_array_equal(live.galaxy_image.get_array()[top:top + 8, left:left + 8],
                                  X[3].reshape(8, 8))   # the 4th Elliptical of the toy set


def test_the_figure_draws_the_validation_cost_and_marks_its_lowest_point(toy_csvs):
    X, y = ann.data.load_data(toy_csvs[0])
    Xt, yt = ann.data.load_data(toy_csvs[1])
    sizes = (X.shape[1], 4, 3)
    history = ann.History(sizes, 1.0, X[:60], y[:60], Xt, yt, report=lambda line: None,
                          validation=(X[60:], y[60:]))
    ann.train(history, ann.initial_weights(*sizes, 917), maxiter=8)
    live = ann.LiveFigure(X, y, 3, 4, 8, validation=True)
    live.update(history, history.best_theta, ann.predict(*ann.reshape(
        history.best_theta, *sizes), X), step=0)
    assert list(live.validation_line.get_ydata()) == history.J_val
    assert list(live.best_marker.get_ydata()) == [history.J_val[history.best_iteration]]
    labels = [t.get_text() for t in live.cost_ax.get_legend().get_texts()]
    assert labels == ["train", "test", "validation", "lowest validation cost"]
    assert "validation accuracy" in live.title.get_text()


# ---- the GIF -------------------------------------------------------------------------------------

def train_with_gif(capsys, toy_csvs, tmp_path, maxiter):
    """A headless run that writes a GIF; returns the iterations done, stdout and the GIF."""
    gif = tmp_path / "training.gif"
    result = main_in_process(capsys, "--train", toy_csvs[0], "--test", toy_csvs[1], "--maxiter",
                             maxiter, "--vectorized", "--no-plot", "--save", tmp_path / "f.png",
                             "--gif", gif)
    assert result.returncode == 0, result.stderr
    return int(re.search(r"after (\d+) iterations", result.stdout).group(1)), result.stdout, gif


def test_the_gif_has_a_frame_per_iteration_on_short_runs_then_the_kept_weights(toy_csvs, tmp_path,
                                                                            capsys):
    from PIL import Image
    iterations, out, gif = train_with_gif(capsys, toy_csvs, tmp_path, 6)
    with Image.open(gif) as image:           # the initial weights, each iteration, the kept ones
        assert image.is_animated and image.n_frames == iterations + 2 and image.width == 600
        image.seek(image.n_frames - 1)
        last = np.asarray(image.convert("L"))
        image.seek(image.n_frames - 2)
        assert not np.array_equal(last, np.asarray(image.convert("L")))
    assert f"({iterations + 2} frames)" in out


def test_a_run_that_goes_the_whole_way_gets_about_120_evenly_spaced_frames():
    # for any length of run from 120 iterations up: frames evenly spaced from iteration 0,
    # about 120 of them (between 80 and 182 with the kept weights' figure)
    for maxiter in range(120, 2001, 7):
        recorder = figure.GifRecorder(None, "unused.gif", maxiter)
        drawn = [i for i in range(maxiter + 1) if recorder.wants(i)]
        assert drawn[0] == 0 and len(set(np.diff(drawn))) == 1, maxiter
        assert 80 <= len(drawn) + 1 <= 182, (maxiter, len(drawn))


# ---- where there is no window --------------------------------------------------------------------

@pytest.fixture
def desktop(monkeypatch):
    """choose_screen() on a Linux desktop whose matplotlib found no GUI backend: set
    DISPLAY (or not) and whether tkinter imports."""
    import matplotlib.pyplot as plt
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(plt, "get_backend", lambda: "agg")
    monkeypatch.delenv("MPLBACKEND")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)

    def screen(display_name, tk):
        if display_name:
            monkeypatch.setenv("DISPLAY", display_name)
        else:
            monkeypatch.delenv("DISPLAY", raising=False)
        monkeypatch.setattr(screens, "tkinter_works", lambda: tk)
        return screens.choose_screen(no_plot=False)
    return screen


@pytest.mark.parametrize("display_name, tk, said", [
    (None, True, "no display (matplotlib backend 'agg')"),
    (":0", False, "a display, but no GUI toolkit for matplotlib (Python's tkinter is missing)"),
    (":0", True, "no usable display (matplotlib could not open a window on ':0')")])
def test_where_no_window_can_open_it_says_why_and_that_the_figure_is_saved(
        desktop, capsys, display_name, tk, said):
    assert desktop(display_name, tk) is None
    line = capsys.readouterr().out
    assert line.startswith(said) and "the figure is saved at the end" in line
    assert ("sudo apt install python3-tk" in line and "pip install PyQt6" in line) == (not tk)

# ---- redraws at the eye's pace -------------------------------------------------------------------

def test_the_pacer_allows_a_frame_an_interval_and_drawing_at_most_an_eighth_of_the_time():
    now = [0.0]
    pacer = screens.Pacer(0.05, clock=lambda: now[0])
    allowed = []
    for step in range(1000):                      # 1000 frames offered, 1 ms apart: 1 s
        now[0] = step * 0.001
        allowed.append(pacer.due())
    assert allowed[0] and sum(allowed) == 20       # at 0, 0.05, ..., 0.95 s
    pacer, drawn_at = screens.Pacer(0.05, clock=lambda: now[0]), []
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
    monkeypatch.setattr(screens, "choose_screen", lambda no_plot: screens.Screen(
        "window", screens.WINDOW_INTERVAL, clock=clock))
    monkeypatch.setattr(screens.Screen, "show", lambda self, fig, *args, **kwargs: setattr(
        self, "fig", fig))
    monkeypatch.setattr(screens.Screen, "draw",
                        lambda self: drawn.append(self.fig._suptitle.get_text()))
    monkeypatch.setattr(screens, "close", lambda screen, fig, keep_open: None)
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


class Recorder:
    """A GIF that wants every `every`th iteration."""

    def __init__(self, every):
        self.every, self.frames = every, 0

    def wants(self, iteration):
        return iteration % self.every == 0

    def grab(self):
        self.frames += 1


def test_the_sample_galaxies_move_on_every_6_gif_frames_or_half_second_and_never_back():
    now = [0.0]
    screen = screens.Screen("window", 0.05, clock=lambda: now[0])
    screen.draw = lambda: None

    def steps(screen, recorder, times):          # the step of the galaxies at each frame
        frames, drawn = figure.Frames(screen, recorder), []
        for iteration, now[0] in enumerate(times):
            frames.offer(iteration, drawn.append)
        return drawn
    assert steps(None, Recorder(1), [0] * 14) == [0] * 6 + [1] * 6 + [2] * 2
    # on screen, iterations 1/16 s apart: a frame every time, and 8 frames make half a second
    assert steps(screen, None, [i / 16 for i in range(30)]) == [t // 8 for t in range(30)]
    # with both, a GIF wanting every third iteration: the galaxies follow the GIF, never back
    both = steps(screen, Recorder(3), [1000 + 0.1 * i for i in range(60)])
    assert both == sorted(both) and both[0] == 0 and both[-1] == 59 // 3 // 6
