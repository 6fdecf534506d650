"""Where ann.py shows its figure: a window on a desktop, the cell's output in Jupyter or Colab,
or nowhere (the figure is still saved at the end).

choose_screen() picks the place and says plainly when there is none and why: no display at all,
or a display but no GUI toolkit for matplotlib (then it names the toolkit and the command that
installs it). A Screen redraws at the eye's pace, at most 20 frames a second in a window and 4
in a notebook (where each frame is a whole PNG image), and never more often than keeps drawing
under an eighth of the time in a window (a frame takes 20-30 ms, so the fast path gets about 5
a second and a live run stays within about 1.2 times a headless one) or a quarter in a
notebook: iterations in between are recorded but not drawn. In a window only what changes is
redrawn, over a saved image of the rest.
"""
import os
import sys
import time

NON_GUI_BACKENDS = ("agg", "cairo", "pdf", "pgf", "ps", "svg", "template")
WINDOW_INTERVAL = 1 / 20      # seconds between frames: at most 20 a second
NOTEBOOK_INTERVAL = 1 / 4     # a notebook gets a whole PNG a frame: 4 a second is plenty
WINDOW_SHARE = 1 / 8          # at most this share of the time goes to drawing a window...
NOTEBOOK_SHARE = 1 / 4        # ...or a notebook's images (about 130 ms each: 2 a second)


def notebook_shell():
    """The running IPython kernel's shell (Jupyter, Colab), or None. IPython is not a
    dependency: it is only looked for where it is already running."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell if shell is not None and hasattr(shell, "kernel") else None


def has_display():
    """True where windows can open: macOS and Windows always; elsewhere an X11 or Wayland
    display must be set."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def missing_toolkit_advice():
    """What to install so that matplotlib can open a window on this platform."""
    if sys.platform == "darwin":
        tk = "Homebrew's Python: brew install python-tk"
    elif sys.platform == "win32":
        tk = "rerun the python.org installer and tick 'tcl/tk and IDLE'"
    else:
        tk = "Debian/Ubuntu: sudo apt install python3-tk; Fedora: sudo dnf install python3-tkinter"
    return (f"{tk}; pyenv: install Tk's headers, then rebuild Python; "
            "or pip install PyQt6, which matplotlib also uses")


def choose_screen(no_plot):
    """The Screen to show the figure on, or None (headless), after one line saying why."""
    import matplotlib
    if no_plot:
        if notebook_shell() is None:        # in a notebook, leave the session's backend alone
            matplotlib.use("agg")
        return None
    import matplotlib.pyplot as plt
    backend = plt.get_backend().lower()   # matplotlib falls back to agg when it has no GUI
    if notebook_shell() is not None and "inline" in backend:
        return Screen("notebook", NOTEBOOK_INTERVAL, share=NOTEBOOK_SHARE)  # Jupyter, Colab
    if notebook_shell() is not None and ("ipympl" in backend or "widget" in backend):
        return Screen("widget", NOTEBOOK_INTERVAL, share=NOTEBOOK_SHARE)    # %matplotlib widget
    if backend not in NON_GUI_BACKENDS:
        return Screen("window", WINDOW_INTERVAL, share=WINDOW_SHARE)
    if not has_display():
        print(f"no display (matplotlib backend {backend!r}): training without a window; the "
              "figure is saved at the end")
    elif os.environ.get("MPLBACKEND", "").lower() in NON_GUI_BACKENDS:
        print(f"matplotlib backend {backend!r} (set by MPLBACKEND) opens no window: training "
              "without one; the figure is saved at the end")
    elif not tkinter_works():
        print("a display, but no GUI toolkit for matplotlib (Python's tkinter is missing): "
              "training without a window; the figure is saved at the end. To get a window: "
              + missing_toolkit_advice())
    else:
        print(f"no usable display (matplotlib could not open a window on "
              f"{os.environ.get('DISPLAY') or os.environ.get('WAYLAND_DISPLAY')!r}): training "
              "without one; the figure is saved at the end")
    return None


def tkinter_works():
    try:
        import tkinter  # noqa: F401
    except ImportError:
        return False
    return True


class Pacer:
    """due() is True at most once every `interval` seconds of `clock` (and the first time), and
    never sooner than `share` allows: if a frame took d seconds to draw, the next waits at least
    d / share after it began, so drawing takes at most that share of the time, however slow the
    machine."""

    def __init__(self, interval, clock=time.monotonic, share=WINDOW_SHARE):
        self.interval, self.clock, self.share = interval, clock, share
        self.last, self.drawing = None, 0.0       # when the last frame began; how long it took

    def due(self):
        now = self.clock()
        if self.last is not None and now - self.last < max(self.interval,
                                                            self.drawing / self.share):
            return False
        self.last = now
        return True

    def drawn(self):
        """Call when the frame is drawn: its drawing time sets the next frame's earliest time."""
        self.drawing = self.clock() - self.last


class Screen:
    """A figure on screen: kind "window" (a GUI backend), "notebook" (Jupyter's inline images,
    one output updated in place) or "widget" (ipympl's canvas)."""

    def __init__(self, kind, interval, clock=time.monotonic, share=WINDOW_SHARE):
        self.kind = kind
        self.pacer = Pacer(interval, clock, share)
        self.fig = self.changing = self.background = self.handle = None
        self.closed = False

    def show(self, fig, changing, on_close):
        """Put fig on screen. changing: the artists an update changes (a window redraws only
        those); on_close() is called if the learner closes the window."""
        import matplotlib.pyplot as plt
        self.fig, self.changing = fig, changing
        if self.kind == "window":
            fig.canvas.mpl_connect("close_event", lambda event: self.close(on_close))
            plt.show(block=False)
        else:                                  # the cell's output: one image, or ipympl's canvas
            from IPython.display import display
            self.handle = display(fig.canvas if self.kind == "widget" else png_of(fig),
                                  display_id=True)

    def close(self, on_close):
        self.closed = True
        on_close()

    def due(self):
        """Is it time for another frame?"""
        return self.pacer.due()

    def draw(self):
        """Show the figure as it is now (unless the learner has closed its window)."""
        if self.closed:
            return
        canvas = self.fig.canvas
        if self.kind == "notebook":
            self.handle.update(png_of(self.fig))
        elif self.kind == "widget":
            canvas.draw()          # ipympl sends the new image at once, even while a cell runs
        elif not canvas.supports_blit:
            canvas.draw_idle()
            canvas.flush_events()
        else:
            self.blit(canvas)
        if self.pacer.last is not None:
            self.pacer.drawn()

    def blit(self, canvas):
        """Redraw only what changes over a saved image of the rest (matplotlib's "blitting");
        all of it when that image is out of date: the window was resized, or an axes' limits
        changed (new tick labels)."""
        layout = (canvas.get_width_height(), [tuple(ax.viewLim.bounds) for ax in self.fig.axes])
        if self.background is None or layout != self.layout:
            for artist in self.changing:
                artist.set_animated(True)     # left out of the full draw below
            canvas.draw()
            self.background = canvas.copy_from_bbox(self.fig.bbox)
            self.layout = layout
            for artist in self.changing:
                artist.set_animated(False)    # so that saving draws them
        else:
            canvas.restore_region(self.background)
        for artist in self.changing:
            self.fig.draw_artist(artist)
        canvas.blit(self.fig.bbox)
        canvas.flush_events()

    def finish(self, keep_open):
        """After training. A window waits for the learner to close it (if keep_open), then
        goes. In a notebook the last image stays in the cell's output and the figure is freed
        (left open, Jupyter would show it once more); ipympl's canvas is left open, to zoom in."""
        import matplotlib.pyplot as plt
        if self.kind == "window" and keep_open and not self.closed:
            self.fig.canvas.draw_idle()
            print("close the window to exit")
            plt.show()
        if self.kind != "widget":
            plt.close(self.fig)


def png_of(fig):
    """The figure as a PNG image for a notebook's output. Rendered here rather than left to
    Jupyter's figure formatter, which not every matplotlib and IPython pair registers."""
    import io
    from IPython.display import Image
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80)
    return Image(data=buffer.getvalue(), format="png")


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


def close(screen, fig, keep_open):
    """The end of a run: keep the window open until the learner closes it (keep_open), or
    just free the figure."""
    if screen is not None:
        screen.finish(keep_open)
    else:
        import matplotlib.pyplot as plt
        plt.close(fig)
