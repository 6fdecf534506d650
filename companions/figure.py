"""ann.py's figures: the training figure's layout, the frames drawn, the GIF, the mistakes figure.

The training figure's layout is computed from the data (how many galaxies, classes and hidden
units there are, how large the images are); then which iterations are drawn, --gif (the
animation of the training), and --mistakes (the test galaxies the network gets most wrong).
ann.py's LiveFigure builds on FigureLayout and says what each iteration shows."""
import math

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


class FigureLayout:
    """The figure, built once: a title; a grid of sample galaxies, `grid_rows` rows and
    `columns_per_class` columns for each class, with a text for each one's prediction; the
    hidden units' weights as images; the cost plot, with a validation cost line if
    `validation`. Attributes name each part; `changing` lists the parts an update changes (a
    window redraws just those)."""

    grid_rows, columns_per_class = 3, 2

    def __init__(self, side, class_names, hidden_layer_size, maxiter, validation=False):
        import matplotlib.pyplot as plt
        self.side = side
        self.grid_columns = len(class_names) * self.columns_per_class
        pad = max(1, side // 8)
        blank = np.zeros((self.grid_rows * self.grid_columns, side, side))
        galaxies, self.corners = montage(blank, self.grid_columns, pad, 1.0,
                                         self.columns_per_class, 2 * pad)
        units, self.unit_corners = montage(np.zeros((hidden_layer_size, side, side)),
                                           min(hidden_layer_size, 2 * self.grid_columns),
                                           pad, np.nan)
        # In inches, from the sizes of the two montages: a unit is drawn no larger than a
        # galaxy, and the cost plot below has a fixed height.
        width, margin = 8.0, 0.35
        scale = (width - 2 * margin) / galaxies.shape[1]                # inches per pixel
        unit_scale = min(scale, (width - 2 * margin) / units.shape[1])
        heights = [0.55, 0.3, galaxies.shape[0] * scale, 0.5, units.shape[0] * unit_scale,
                   0.5, 2.4, 0.6]   # title, class names, galaxies, label, units, gap, costs
        height = sum(heights)
        with plt.ioff():        # the Screen puts it where it belongs (a notebook would show
            self.fig = plt.figure(figsize=(width, height))     # it a second time otherwise)

        def axes_at(row, w, left):            # an axes filling row `row` of `heights`
            bottom = height - sum(heights[:row + 1])
            return self.fig.add_axes((left / width, bottom / height, w / width,
                                      heights[row] / height))

        self.title = self.fig.suptitle("", y=1 - 0.2 / height, fontsize=11)
        self.galaxy_ax = axes_at(2, width - 2 * margin, margin)
        self.galaxy_image = self.galaxy_ax.imshow(galaxies, cmap="gray", vmin=0, vmax=1,
                                                  interpolation="nearest")
        self.galaxy_ax.set_axis_off()
        self.texts = [self.galaxy_ax.text(left + 1, top + 1, "", va="top", ha="left",
                                          fontsize=12, fontweight="bold")
                      for top, left in self.corners]
        for k, name in enumerate(class_names):
            top, left = self.corners[k * self.columns_per_class]
            self.galaxy_ax.text(left, top - 1.5, f"true: {'class ' * name.isdigit()}{name}",
                                va="bottom", ha="left", fontsize=10)

        units_width = units.shape[1] * unit_scale
        self.units_ax = axes_at(4, units_width, (width - units_width) / 2)
        self.units_image = self.units_ax.imshow(units, cmap="RdBu_r", vmin=-1, vmax=1,
                                                interpolation="nearest")
        self.units_ax.set_axis_off()
        self.units_ax.set_title("what the hidden units see: Theta1's weights, all on one scale "
                                "(red +, blue -, white 0);\na faint unit has barely changed "
                                "from its small random start: the network hardly uses it",
                                fontsize=9, linespacing=1.1)

        self.cost_ax = axes_at(6, width - 1.0, 0.8)
        self.train_line, = self.cost_ax.plot([], [], color="tab:blue", label="train")
        self.test_line, = self.cost_ax.plot([], [], color="tab:red", label="test")
        self.validation_line = (self.cost_ax.plot([], [], color="tab:green",
                                                  label="validation")[0] if validation else None)
        self.best_marker, = self.cost_ax.plot(    # on the curve of the set that chooses
            [], [], "o", color="tab:green" if validation else "tab:red", mfc="none",
            label=f"lowest {'validation' if validation else 'test'} cost")
        self.cost_ax.set_xlim(0, maxiter)
        self.cost_ax.set_xlabel("iteration")
        self.cost_ax.set_ylabel("cost J")
        self.cost_ax.legend(loc="upper right", fontsize=9)
        self.changing = [self.title, self.galaxy_image, *self.texts, self.units_image,
                         self.train_line, self.test_line, self.best_marker] + (
            [self.validation_line] if validation else [])

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


class Frames:
    """Which iterations get drawn: the GIF's on its own schedule (recorder, or None), the
    screen's at the eye's pace (screen, or None). Iterations in between are recorded by the
    History but not drawn; flush() draws the last one offered if the screen skipped it.

    The sample galaxies move on about twice a second, not at every frame: slow enough to watch
    the network's guesses on them change (and a GIF of still galaxies compresses well)."""

    seconds_per_step = 0.5     # on screen: new galaxies every half second
    gif_frames_per_step = 6    # in the GIF, at 12 frames a second: the same

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
    """One frame every few iterations, about 120 in all, 600 pixels wide, 12 a second, kept in
    memory; finish() adds the final figure and writes them all, atomically. The frames share one
    palette of 128 colours, the final figure's, without dithering: a third of the size of a
    palette per frame, dithered, and as readable."""

    frames_wanted, dpi, fps, colours = 120, 75, 12, 128

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

    def finish(self):
        from PIL import Image
        self.grab()                           # the final figure, with the kept weights, ends it
        palette = self.images[-1].quantize(self.colours, method=Image.Quantize.MEDIANCUT)
        frames = [image.quantize(palette=palette, dither=Image.Dither.NONE)
                  for image in self.images]
        write_atomically(self.path, lambda tmp: frames[0].save(
            tmp, format="GIF", save_all=True, append_images=frames[1:],
            duration=1000 // self.fps, loop=0))


def mistakes_figure(X, y, outputs, rows, costs, wrong, names, letters):
    """--mistakes: the test galaxies rows (the network's worst first), each with its true and
    predicted class, the network's outputs (a3, one per class) and its cost; X (m, n) pixels,
    y (m,) labels, outputs (m, K). wrong: how many test galaxies it gets wrong in all. names:
    the classes'; letters: what labels each output (LiveFigure's). The grid's size follows the
    number of galaxies, at most 6 a row."""
    import matplotlib.pyplot as plt
    side, columns = math.isqrt(X.shape[1]), max(1, min(6, len(rows)))
    grid_rows = max(1, math.ceil(len(rows) / columns))
    with plt.ioff():              # (shown, if at all, where the run shows its figure)
        if not len(rows):
            fig = plt.figure(figsize=(7.0, 1.0))
            fig.text(0.5, 0.5, "the kept weights get every test galaxy right", ha="center",
                     va="center", fontsize=11)
            return fig
        fig, axes = plt.subplots(grid_rows, columns, squeeze=False, figsize=(
            max(7.0, 1.6 * columns + 0.4), 2.2 * grid_rows + 0.8))   # wide enough for the title
    for ax in axes.ravel():
        ax.set_axis_off()
    for ax, i, cost in zip(axes.ravel(), rows, costs):
        ax.imshow(X[i].reshape(side, side), cmap="gray", vmin=0, vmax=1)
        ax.set_title(f"true {names[y[i]]}\nguess {names[np.argmax(outputs[i])]}", fontsize=8,
                     color="tab:red")
        ax.text(0.5, -0.04, "  ".join(f"{letters[k]} {outputs[i, k]:.2f}" for k in
                                      range(len(names))) + f"\ncost {cost:.2f}",
                transform=ax.transAxes, ha="center", va="top", fontsize=7)
    fig.suptitle(f"the {len(rows)} test galaxies the kept weights get most wrong, highest cost "
                 f"first ({wrong} wrong in all)\nunder each: the network's outputs, one per "
                 "class, and the galaxy's cost", fontsize=10)
    fig.tight_layout()
    return fig
