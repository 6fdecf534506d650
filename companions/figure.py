"""The figure: the training figure's layout, which iterations are drawn, and the GIF (--gif).

The layout is computed from the data (how many galaxies, classes and hidden units there are,
how large the images are), landscape or portrait to suit the screen, its title counting the
iterations and the time left. ann.py's LiveFigure builds on FigureLayout and says what each
iteration shows."""
import math
import textwrap
import time

import numpy as np

from companions.data import write_atomically


def montage(images, columns, pad, fill, group=1, group_pad=0):
    """Tile images (N, side, side) into one array, `columns` to a row, `pad` pixels apart, with
    `group_pad` more between every `group` columns. Returns the array and the (row, column)
    pixel of each tile's top-left corner."""
    side = images.shape[1]
    corners = [(r * (side + pad), c * (side + pad) + (c // group) * group_pad)
               for r, c in (divmod(j, columns) for j in range(len(images)))]
    height = math.ceil(len(images) / columns) * (side + pad) - pad
    width = columns * (side + pad) - pad + (columns - 1) // group * group_pad
    tiled = np.full((height, width), fill, dtype=float)
    for (top, left), image in zip(corners, images):
        tiled[top:top + side, left:left + side] = image
    return tiled, corners


def sample_indices(y, num_labels, per_class, step):
    """per_class examples of each class, moving on with each step through the whole data set
    as the article's grid does. Returns (K, per_class) row indices into y; -1 where a class
    has no example (a test set may lack one)."""
    chosen = np.full((num_labels, per_class), -1)
    for k in range(num_labels):
        rows = np.flatnonzero(y == k)
        if len(rows):
            chosen[k] = rows[(step * per_class + np.arange(per_class)) % len(rows)]
    return chosen


def duration(seconds):
    """A time to wait, as a person says it: '25 s', '3 min', '1 h 10 min'."""
    if seconds < 57.5:
        return f"{5 * max(1, round(seconds / 5))} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h" + (f" {minutes % 60} min" if minutes % 60 else "")


class FigureLayout:
    """The figure, built once: a title; a grid of sample galaxies, `grid_rows` rows and
    `columns_per_class` columns for each class, with a text for each one's prediction and a
    one-line key; the hidden units' weights as images; the cost plot, with a validation cost
    line if `validation`. Attributes name each part; `changing` lists the parts an update
    changes (a window redraws just those).

    Two arrangements of the same parts (arrange()): landscape, the galaxies on the left and the
    hidden units above the costs on the right, LANDSCAPE_WIDTH inches wide, for saved files,
    notebooks and every screen wider than tall; portrait, all in one column, PORTRAIT_WIDTH
    inches wide, for a window on a screen taller than wide. The heights follow from the data
    (how many classes and hidden units, which fix the montages' shapes). No text is smaller
    than TEXT points: 14.8 pixels in a window on a 1280 x 720 screen (about 97 dots an inch),
    10.7 in the GIF."""

    grid_rows, columns_per_class = 3, 2
    LANDSCAPE_WIDTH, PORTRAIT_WIDTH = 12.8, 8.0    # inches; 100 dots an inch when saved
    TITLE, NAMES, KEY, LEGEND_ROW, COSTS, XLABEL = 0.65, 0.3, 0.35, 0.22, 2.3, 0.55   # inches
    TEXT = 11                         # points: the smallest text's size
    clock = time.monotonic            # for the estimate of the time left
    room_below = 0.0                  # inches kept free under the parts, for a mode's own

    def __init__(self, side, class_names, hidden_layer_size, maxiter, validation=False):
        import matplotlib.pyplot as plt
        self.side, self.maxiter, self.timed = side, maxiter, None
        self.grid_columns = len(class_names) * self.columns_per_class
        with plt.ioff():        # the Screen puts it where it belongs (a notebook would show
            self.fig = plt.figure()                            # it a second time otherwise)
        self.title = self.fig.suptitle("", fontsize=13, va="top", linespacing=1.4,
                                       wrap=True)           # (in two lines if need be)
        self.galaxy_panel(class_names)
        self.units_panel(hidden_layer_size)
        self.cost_panel(maxiter, validation)
        self.changing = [self.title, self.galaxy_image, *self.texts, self.units_image,
                         self.train_line, self.test_line, self.best_marker] + (
            [self.validation_line] if validation else [])
        self.sizes = {landscape: self.arrange(landscape) for landscape in (False, True)}

    def galaxy_panel(self, class_names):
        """The sample galaxies, their class names above, a text per galaxy for its predicted
        class, and below them the key to those texts."""
        side, pad = self.side, max(1, self.side // 8)
        blank = np.zeros((self.grid_rows * self.grid_columns, side, side))
        galaxies, self.corners = montage(blank, self.grid_columns, pad, 1.0,
                                         self.columns_per_class, 2 * pad)
        self.galaxy_ax = self.fig.add_axes((0, 0, 1, 1))
        self.galaxy_image = self.galaxy_ax.imshow(galaxies, cmap="gray", vmin=0, vmax=1,
                                                  interpolation="nearest")
        self.galaxy_ax.set_axis_off()
        self.texts = [self.galaxy_ax.text(left + 1, top + 1, "", va="top", ha="left",
                                          fontsize=14, fontweight="bold")
                      for top, left in self.corners]
        numbered = any(name.isdigit() for name in class_names)
        for k, name in enumerate(class_names):
            top, left = self.corners[k * self.columns_per_class]
            self.galaxy_ax.text(left, top - 1.5, f"true: {'class ' * numbered}{name}",
                                va="bottom", ha="left", fontsize=12)
        guesses = ("the class number" if numbered else ", ".join(
            f"{name[0]} {name}" for name in class_names))
        self.key = self.galaxy_ax.annotate(
            f"on each galaxy, the network's guess ({guesses}): blue \u2713 right, red wrong",
            (0, 0), xycoords="axes fraction", xytext=(0, -5), textcoords="offset points",
            va="top", ha="left", fontsize=self.TEXT)

    def units_panel(self, hidden_layer_size):
        """What the hidden units see: their weights as images, a caption above them."""
        side, pad = self.side, max(1, self.side // 8)
        units, self.unit_corners = montage(np.zeros((hidden_layer_size, side, side)),
                                           min(hidden_layer_size, 2 * self.grid_columns),
                                           pad, np.nan)
        self.units_ax = self.fig.add_axes((0, 0, 1, 1))
        self.units_image = self.units_ax.imshow(units, cmap="RdBu_r", vmin=-1, vmax=1,
                                                interpolation="nearest")
        self.units_ax.set_axis_off()
        self.caption = ("what the hidden units see: Theta1's weights on one scale (red +, "
                        "blue -, white 0). All start as random noise; those the network uses "
                        "grow patterns, the rest fade beside them")

    def cost_panel(self, maxiter, validation):
        """The costs by iteration, the lowest cost of the set that chooses the kept weights
        circled; the legend above the plot, where it covers no curve."""
        self.cost_ax = self.fig.add_axes((0, 0, 1, 1))
        self.train_line, = self.cost_ax.plot([], [], color="tab:blue", label="train")
        self.test_line, = self.cost_ax.plot([], [], color="tab:red", label="test")
        self.validation_line = (self.cost_ax.plot([], [], color="tab:green",
                                                  label="validation")[0] if validation else None)
        self.best_marker, = self.cost_ax.plot(    # on the curve of the set that chooses
            [], [], "o", color="tab:green" if validation else "tab:red", mfc="none", ms=7,
            clip_on=False, label=f"lowest {'validation' if validation else 'test'} cost")
        self.cost_ax.set_xlim(-0.02 * maxiter, 1.02 * maxiter)   # room for the circle
        self.cost_ax.set_xlabel("iteration", fontsize=self.TEXT)
        self.cost_ax.set_ylabel("cost J", fontsize=self.TEXT)
        self.cost_ax.tick_params(labelsize=self.TEXT)
        self.legend_rows = 2 if validation else 1
        self.cost_ax.legend(loc="lower left", bbox_to_anchor=(0, 1.02), borderaxespad=0,
                            ncol=2 if validation else 3, fontsize=self.TEXT, frameon=False,
                            handlelength=1.5, columnspacing=1.2)

    def arrange(self, landscape):
        """Place the parts, landscape or portrait (see the class), and size the figure; returns
        its size in inches."""
        galaxies, units = (ax.get_images()[0].get_array().shape for ax in (self.galaxy_ax,
                                                                           self.units_ax))
        width, margin = (self.LANDSCAPE_WIDTH if landscape else self.PORTRAIT_WIDTH), 0.3
        galaxies_size = (7.4 if landscape else width - 2 * margin, 0)
        galaxies_size = (galaxies_size[0], galaxies_size[0] * galaxies[0] / galaxies[1])
        right = (margin + galaxies_size[0] + 0.5 if landscape else margin, width - margin)
        unit_scale = min(galaxies_size[0] / galaxies[1], (right[1] - right[0]) / units[1])
        units_size = (units[1] * unit_scale, units[0] * unit_scale)  # no larger than a galaxy
        lines = textwrap.wrap(self.caption, int((right[1] - right[0]) * 150 / self.TEXT))
        self.units_ax.set_title("\n".join(lines), fontsize=self.TEXT, linespacing=1.2)
        caption = 0.2 * len(lines) + 0.15
        legend = 0.2 + self.LEGEND_ROW * self.legend_rows
        left_height = self.NAMES + galaxies_size[1] + self.KEY
        right_height = caption + units_size[1] + legend + self.COSTS + self.XLABEL
        below = max(left_height, right_height) if landscape else left_height + right_height
        height = self.TITLE + below + 0.1 + self.room_below
        top = (self.TITLE + (below - left_height) / 2 * landscape,    # the columns' tops
               self.TITLE + below - right_height)
        places = {self.galaxy_ax: (margin, top[0] + self.NAMES, *galaxies_size),
                  self.units_ax: ((sum(right) - units_size[0]) / 2, top[1] + caption,
                                  *units_size),
                  self.cost_ax: (right[0] + 0.7, top[1] + caption + units_size[1] + legend,
                                 right[1] - right[0] - 0.7, self.COSTS)}
        self.fig.set_size_inches(width, height)
        for ax, (left, top, w, h) in places.items():     # inches from the top left
            ax.set_position((left / width, 1 - (top + h) / height, w / width, h / height))
        self.title.set_y(1 - 0.12 / height)
        return width, height

    def keep_room_below(self, inches):
        """Keep `inches` free under the figure's parts, in both arrangements, for a mode's own
        panel (--break's symptoms), which places itself there."""
        self.room_below = inches
        self.sizes = {landscape: self.arrange(landscape) for landscape in (False, True)}

    def fit_cost_limits(self, costs, first):
        """Widen the cost plot's y-limits to hold costs. New limits mean new tick labels and a
        full redraw, so they leave room for the costs to fall (they start near their highest)
        and the full redraws stay few (3 in a 600-iteration run)."""
        low, high = min(costs), max(costs)
        bottom, top = self.cost_ax.get_ylim()
        if first or low < bottom or high > top:
            self.cost_ax.set_ylim(0.5 * low if first else 0.8 * low,
                                  high + 0.05 * (high - low) + 1e-3)

    def show_units(self, Theta1):
        """What the hidden units see: each row of Theta1 (h, n + 1) without its bias, as an
        image, all on one scale, that of the largest weight, so that white is 0 and a unit whose
        weights stayed near their small random start looks faint beside those that grew. Red
        pixels have positive weights: light (sky) there excites the unit. Blue pixels have
        negative weights: dark (galaxy) there excites it, since the images are inverted."""
        units, weights = self.units_image.get_array(), Theta1[:, 1:]
        scale = np.abs(weights).max() or 1.0
        for corner, unit in zip(self.unit_corners, weights):
            self.tile(units, corner)[:] = (unit / scale).reshape(self.side, self.side)
        self.units_image.set_data(units)

    def tile(self, image, corner):
        """The view of `image` (a montage) under the tile whose top-left corner is `corner`."""
        top, left = corner
        return image[top:top + self.side, left:left + self.side]

    def progress(self, iteration):
        """'iteration 120/600', and once 5 iterations have been timed (from the first one
        shown), an estimate of the time left: 'iteration 120/600, about 2 min left'."""
        now = self.clock()
        if self.timed is None or iteration < self.timed[0]:
            self.timed = (iteration, now)
        done = iteration - self.timed[0]
        text = f"iteration {iteration}/{self.maxiter}"
        if done >= 5 and iteration < self.maxiter:
            left = (now - self.timed[1]) / done * (self.maxiter - iteration)
            text += f", about {duration(left)} left"
        return text

    def show_done(self, ended, how_to_leave=""):
        """Say in the title that training is done and why (ended: an Ended's words), above what
        it says of the kept weights; how_to_leave: how to close the window still open."""
        kept = self.title.get_text().split("\n")[-1]
        self.title.set_text(f"training done, {ended}" + (f"; {how_to_leave}" if how_to_leave
                                                         else "") + "\n" + kept)


class Frames:
    """Which iterations get drawn: the GIF's on its own schedule (recorder, or None), the
    screen's at the eye's pace (screen, or None). Iterations in between are recorded by the
    History but not drawn; flush() draws the last one offered if the screen skipped it.

    The sample galaxies move on about twice a second, not at every frame: slow enough to watch
    the network's guesses on them change (and a GIF of still galaxies compresses well)."""

    seconds_per_step = 0.5     # on screen: new galaxies every half second
    gif_frames_per_step = 3    # in the GIF, at 6 frames a second: the same

    def __init__(self, screen, recorder):
        self.screen, self.recorder, self.pending, self.step = screen, recorder, None, 0
        self.start = None                        # when the screen's first frame was due

    def offer(self, iteration, update):
        """update(step) puts iteration's data into the figure, with the step'th set of sample
        galaxies; it is called only if a frame is due. With a GIF, the GIF's frames count the
        steps (the screen shows the same galaxies); without, the screen's clock does."""
        frame = self.recorder is not None and self.recorder.wants(iteration)
        shown = self.screen is not None and self.screen.due()
        if frame:
            self.step = self.recorder.frames // self.gif_frames_per_step
        elif shown and self.recorder is None:
            self.start = self.screen.pacer.last if self.start is None else self.start
            self.step = int((self.screen.pacer.last - self.start) / self.seconds_per_step)
        if frame or shown:
            update(self.step)
        if frame:
            self.recorder.grab()
        if shown:
            self.screen.draw()
        self.pending = None if shown else update

    def flush(self):
        if self.screen is not None and self.pending is not None:
            self.pending(self.step)
            self.screen.draw()
        self.pending = None


class GifRecorder:
    """One frame every few iterations, about 60 in all, 6 a second, kept in memory; finish()
    adds the final figure and writes them all, atomically, the figure's width in inches times
    `dpi` pixels wide (896 x 367 for the landscape figure of the project's galaxies). The final
    figure, the kept weights, holds 3 seconds, and the first frame 1, so that the loop's end
    and its restart are seen. Every frame is stored whole (disposal 2), so
    that any one taken out alone is the figure as it was. The frames share one palette of 128
    colours, the final figure's, without dithering: a third of the size of a palette per frame,
    dithered, and as readable."""

    frames_wanted, dpi, colours = 60, 70, 128    # whole frames: 60 make 3-4 MB
    frame_ms, hold_start, hold_end = 170, 1000, 3000     # GIFs count hundredths of a second

    def __init__(self, fig, path, maxiter):
        self.fig, self.path, self.images = fig, path, []
        self.every = max(1, round(maxiter / self.frames_wanted))

    @property
    def frames(self):
        return len(self.images)

    def wants(self, iteration):
        return iteration % self.every == 0

    def grab(self):
        import io
        from PIL import Image
        buffer = io.BytesIO()
        self.fig.savefig(buffer, format="png", dpi=self.dpi)
        self.images.append(Image.open(buffer).convert("RGB"))

    def durations(self):
        """Each frame's time on screen, in milliseconds."""
        times = [self.frame_ms] * self.frames
        times[0], times[-1] = self.hold_start, self.hold_end
        return times

    def finish(self):
        from PIL import Image
        self.grab()                           # the final figure, with the kept weights, ends it
        palette = self.images[-1].quantize(self.colours, method=Image.Quantize.MEDIANCUT)
        frames = [image.quantize(palette=palette, dither=Image.Dither.NONE)
                  for image in self.images]
        write_atomically(self.path, lambda tmp: frames[0].save(
            tmp, format="GIF", save_all=True, append_images=frames[1:],
            duration=self.durations(), disposal=2, loop=0))
