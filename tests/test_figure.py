"""The training figure, headless: what it shows, which iterations are drawn and when, the GIF,
and what a learner is told when no window can open. Each test's name says what must hold.
(A real window, a Jupyter kernel and a Python without Tk: tests/test_screens.py.)"""
import re
import sys

import matplotlib.text
import numpy as np
import pytest

import ann
from companions import figure, screens
from conftest import main_in_process, toy_images


@pytest.fixture(autouse=True)
def figures_closed():
    """The figures a test makes are closed after it (matplotlib warns past 20 open)."""
    yield
    import matplotlib.pyplot as plt
    plt.close("all")


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
    assert live.units_image.get_clim() == (-1, 1)
    caption = " ".join(live.units_ax.get_title().split())       # true from the first iteration
    assert "All start as random noise; those the network uses grow patterns, the rest fade" \
        in caption
    assert np.isnan(np.ma.getdata(tiled)).sum() == tiled.size - hidden * 64   # blank padding
    # a unit is drawn no larger than a galaxy; beside the galaxies, or below them in portrait
    for landscape in (True, False):
        live.arrange(landscape)
        units, galaxies = live.units_ax.get_position(), live.galaxy_ax.get_position()
        unit_pixel = units.width * live.fig.get_figwidth() / tiled.shape[1]
        galaxy_pixel = galaxies.width * live.fig.get_figwidth() / live.galaxy_image.get_array(
            ).shape[1]
        assert unit_pixel <= galaxy_pixel + 1e-12
        assert (units.x0 > galaxies.x1) if landscape else (units.y1 < galaxies.y0)
        assert units.y0 > live.cost_ax.get_position().y1


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


def test_a_one_line_key_below_the_galaxies_says_what_the_letters_tick_and_colours_mean():
    live = toy_figure(2)[0]
    assert live.key.get_text() == ("on each galaxy, the network's guess (E Elliptical, S Spiral, "
                                   "I Irregular): blue \u2713 right, red wrong")
    renderer = live.fig.canvas.get_renderer()
    key, grid = live.key.get_window_extent(renderer), live.galaxy_ax.get_window_extent(renderer)
    assert grid.y0 - 30 < key.y1 <= grid.y0 and key.x1 <= grid.x1       # one line, just below
    y, pixels = toy_images(2)
    numbered = ann.LiveFigure(pixels / 255.0, y, 4, 2, maxiter=10)
    assert "guess (the class number)" in numbered.key.get_text()


def test_the_title_counts_iterations_of_the_total_and_estimates_the_time_left_after_5():
    live = toy_figure(2)[0]
    live.maxiter, now = 600, [100.0]
    live.clock = lambda: now[0]

    def at(iteration, seconds):
        now[0] = 100.0 + seconds
        return live.progress(iteration)
    assert at(0, 0) == "iteration 0/600"         # the first iteration shown starts the clock
    assert at(4, 8) == "iteration 4/600"         # 4 timed: no estimate yet
    assert at(5, 10) == "iteration 5/600, about 20 min left"     # 2 s each, 595 to go
    assert at(599, 1198) == "iteration 599/600, about 5 s left"
    assert at(600, 1200) == "iteration 600/600"  # done: nothing left to estimate
    assert [figure.duration(s) for s in (0.4, 12, 57, 58, 150, 3599, 4000)] == [
        "5 s", "10 s", "55 s", "1 min", "2 min", "1 h", "1 h 7 min"]


@pytest.mark.parametrize("screen", [(1280, 720), (1366, 768), (1920, 1080), (1080, 1920)])
def test_a_window_is_landscape_on_a_wide_screen_fills_its_width_and_no_text_is_under_10_px(
        monkeypatch, screen):
    live, history, theta, X, y = toy_figure(8)
    live.update(history, theta, np.zeros_like(y), step=0)
    room = (screen[0], screen[1] - screens.PANELS)
    monkeypatch.setattr(screens, "screen_room", lambda manager: room)
    screens.fit_window(live.fig, "ann.py: training", live)
    width, height = live.fig.bbox.size                  # in the screen's pixels
    assert (width > height) == (screen[0] > screen[1])   # portrait on a screen taller than wide
    assert width <= room[0] - 2 * screens.MARGIN and height <= room[1] - screens.TOOLBAR
    if screen[1] < 800:                                  # a laptop's: most of its width
        assert width >= 0.9 * screen[0]
    live.fig.canvas.draw()
    renderer = live.fig.canvas.get_renderer()
    texts = [t for t in live.fig.findobj(matplotlib.text.Text) if t.get_text().strip()
             and t.get_visible() and t.get_window_extent(renderer).overlaps(live.fig.bbox)]
    assert len(texts) > 20                               # captions, legend, ticks, key, ...
    smallest = min(t.get_fontsize() * live.fig.dpi / 72 for t in texts)
    assert smallest >= 10 * 0.999, smallest


@pytest.mark.parametrize("landscape", [True, False])
def test_the_longest_title_stays_inside_the_figure_in_at_most_two_lines_above_the_galaxies(
        landscape):
    y, pixels = toy_images(2)
    live = ann.LiveFigure(pixels / 255.0, y, 3, 8, 600, validation=True)
    live.arrange(landscape)
    live.title.set_text("iteration 599/600, about 1 h 59 min left:  train accuracy 100.0%,  "
                        "validation accuracy 100.0%,  test accuracy 100.0%")
    live.fig.canvas.draw()
    renderer = live.fig.canvas.get_renderer()
    title = live.title.get_window_extent(renderer)
    names = max(t.get_window_extent(renderer).y1 for t in live.galaxy_ax.texts
                if t.get_text().startswith("true"))
    assert live.fig.bbox.x0 <= title.x0 and title.x1 <= live.fig.bbox.x1
    assert names < title.y0 and title.y1 <= live.fig.bbox.y1
    assert title.height < 3 * live.title.get_fontsize() * live.fig.dpi / 72


@pytest.mark.parametrize("validation", [False, True])
@pytest.mark.parametrize("landscape", [True, False])
def test_the_legend_sits_above_the_cost_plot_inside_the_figure_and_covers_no_curve(
        validation, landscape):
    y, pixels = toy_images(2)
    live = ann.LiveFigure(pixels / 255.0, y, 3, 8, 600, validation=validation)
    live.arrange(landscape)
    renderer = live.fig.canvas.get_renderer()
    legend = live.cost_ax.get_legend().get_window_extent(renderer)
    plot, units = (ax.get_window_extent(renderer) for ax in (live.cost_ax, live.units_ax))
    assert plot.y1 <= legend.y0 < legend.y1 < units.y0     # between the units and the plot
    assert plot.x0 <= legend.x0 and legend.x1 <= live.fig.bbox.x1


def test_the_lowest_cost_circle_is_drawn_whole_even_at_the_plots_first_or_last_iteration():
    live, history, theta, X, y = toy_figure(2)
    for iteration in (0, 10):                             # the edges: iterations 0 and maxiter
        history.best_iteration = iteration
        history.J_test[iteration:iteration + 1] = [min(history.J_test)]
        while len(history.J_train) <= 10:
            for costs in (history.J_train, history.J_test):
                costs.append(costs[-1] * 1.01)
        live.update(history, theta, np.zeros_like(y), step=0)
        live.fig.canvas.draw()
        centre = live.cost_ax.transData.transform((iteration, history.J_test[iteration]))
        radius = (live.best_marker.get_markersize() / 2 + live.best_marker.get_markeredgewidth()
                  ) * live.fig.dpi / 72
        plot = live.cost_ax.get_window_extent()
        assert plot.x0 + radius <= centre[0] <= plot.x1 - radius
        assert plot.y0 + radius <= centre[1] <= plot.y1 - radius


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
        assert image.is_animated and image.n_frames == iterations + 2 and image.width == 896
        image.seek(image.n_frames - 1)
        last = np.asarray(image.convert("L"))
        image.seek(image.n_frames - 2)
        assert not np.array_equal(last, np.asarray(image.convert("L")))
    assert f"({iterations + 2} frames)" in out


def test_the_gif_holds_the_kept_weights_3_s_and_its_first_frame_1_s_and_stores_frames_whole(
        toy_csvs, tmp_path, capsys):
    from PIL import Image
    gif = train_with_gif(capsys, toy_csvs, tmp_path, 3)[2]
    with Image.open(gif) as image:
        durations, extents = [], []
        for frame in range(image.n_frames):
            image.seek(frame)
            durations.append(image.info["duration"])
            extents.append(image.tile[0][1])       # where the frame's pixels go: all of it
        assert durations == [1000] + [170] * (image.n_frames - 2) + [3000]   # 6 a second
        assert extents == [(0, 0, *image.size)] * image.n_frames


def test_a_run_that_goes_the_whole_way_gets_about_60_evenly_spaced_frames():
    # for any length of run from 120 iterations up: frames evenly spaced from iteration 0,
    # about 60 of them (600: every 10th, 61, then the kept weights' figure)
    for maxiter in range(120, 2001, 7):
        recorder = figure.GifRecorder(None, "unused.gif", maxiter)
        drawn = [i for i in range(maxiter + 1) if recorder.wants(i)]
        assert drawn[0] == 0 and len(set(np.diff(drawn))) == 1, maxiter
        assert 40 <= len(drawn) + 1 <= 91, (maxiter, len(drawn))
    assert sum(map(figure.GifRecorder(None, "unused.gif", 600).wants, range(601))) == 61


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
    monkeypatch.setattr(screens, "close", lambda screen, fig, keep_open, waiting: None)
    status = ann.main(["--train", toy_csvs[0], "--test", toy_csvs[1], "--maxiter", "600",
                       "--vectorized", "--save", str(tmp_path / "f.png")])
    assert status == 0
    done = int(re.search(r"after (\d+) iterations", capsys.readouterr().out).group(1))
    assert done > 100
    iterations = [int(re.match(r"iteration (\d+)/600", t).group(1)) for t in drawn[:-1]]
    # a frame per 1/20 s, iterations 1/64 s apart: every 4th iteration (4/64 s >= 1/20 s >
    # 3/64 s), then the last iteration (always), then the kept weights' figure (always)
    assert iterations[:-1] == list(range(0, done, 4))
    assert len(drawn) <= done / 64 * 20 + 1 + 2
    assert iterations[-1] == done
    assert re.match(r"training done, converged\nkept weights \(iteration \d+", drawn[-1])


def test_a_window_left_open_says_training_is_done_which_weights_were_kept_and_how_to_leave(
        toy_csvs, tmp_path, monkeypatch, capsys):
    import matplotlib.pyplot as plt
    from matplotlib.backend_bases import FigureManagerBase
    shown, titles = [], []
    monkeypatch.setattr(screens, "choose_screen", lambda no_plot: screens.Screen(
        "window", screens.WINDOW_INTERVAL))
    monkeypatch.setattr(screens.Screen, "show", lambda self, fig, *args, **kwargs: setattr(
        self, "fig", fig))
    monkeypatch.setattr(screens.Screen, "draw", lambda self: None)
    monkeypatch.setattr(FigureManagerBase, "set_window_title",
                        lambda self, title: titles.append(title))
    monkeypatch.setattr(FigureManagerBase, "get_window_title", lambda self: "ann.py: training")
    monkeypatch.setattr(plt, "show", lambda: shown.append(plt.gcf()._suptitle.get_text()))
    status = ann.main(["--train", toy_csvs[0], "--test", toy_csvs[1], "--maxiter", "3",
                       "--save", str(tmp_path / "f.png")])
    out = capsys.readouterr().out
    assert status == 0 and out.endswith("close the window to exit\n")
    kept = re.search(r"kept the weights of iteration (\d+)", out).group(1)
    assert shown == [f"training done, reached --maxiter; close the window to exit\n"
                     f"kept weights (iteration {kept}, lowest test cost): " + shown[0].split(
                         "cost): ")[1]]
    assert titles[-1:] == [f"ann.py: training done, kept the weights of iteration {kept}; "
                           "close the window to exit"]


class Recorder:
    """A GIF that wants every `every`th iteration."""

    def __init__(self, every):
        self.every, self.frames = every, 0

    def wants(self, iteration):
        return iteration % self.every == 0

    def grab(self):
        self.frames += 1


def test_the_sample_galaxies_move_on_every_3_gif_frames_or_half_second_and_never_back():
    now = [0.0]
    screen = screens.Screen("window", 0.05, clock=lambda: now[0])
    screen.draw = lambda: None

    def steps(screen, recorder, times):          # the step of the galaxies at each frame
        frames, drawn = figure.Frames(screen, recorder), []
        for iteration, now[0] in enumerate(times):
            frames.offer(iteration, drawn.append)
        return drawn
    assert steps(None, Recorder(1), [0] * 8) == [0] * 3 + [1] * 3 + [2] * 2
    # on screen, iterations 1/16 s apart: a frame every time, and 8 frames make half a second
    assert steps(screen, None, [i / 16 for i in range(30)]) == [t // 8 for t in range(30)]
    # with both, a GIF wanting every third iteration: the galaxies follow the GIF, never back
    both = steps(screen, Recorder(3), [1000 + 0.1 * i for i in range(60)])
    assert both == sorted(both) and both[0] == 0 and both[-1] == 59 // 3 // 3
