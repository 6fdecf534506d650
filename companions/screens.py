"""Where ann.py shows its figures: a window fitted to its screen, a notebook's cell, or nowhere.

A window on a desktop, the cell's output in Jupyter or Colab, or nowhere (they are saved at the
end anyway).

choose_screen() says in one line why there is no window when there is none, naming the missing
GUI toolkit and the command that installs it. A Screen draws at the eye's pace: at most 20 frames
a second in a window, 4 in a notebook (each frame a whole PNG image), and never so often that
drawing takes more than an eighth of the time in a window (a live fast run stays within about
1.2 times a headless one) or a quarter in a notebook. In a window only what changes is redrawn,
over a saved image of the rest.
"""
import os
import sys
import time

NON_GUI_BACKENDS = ("agg", "cairo", "pdf", "pgf", "ps", "svg", "template")
WINDOW_INTERVAL, WINDOW_SHARE = 1 / 20, 1 / 8       # seconds between frames; share of the time
NOTEBOOK_INTERVAL, NOTEBOOK_SHARE = 1 / 4, 1 / 4    # a notebook's image takes about 130 ms
# A window's room on screen, in pixels: what a title bar takes, and a desktop's panels with it
# (a taskbar, a top bar, a dock), which Tk cannot see; the toolbar; a margin each side; and the
# screen assumed where none can be measured, a common laptop's.
TITLE_BAR, PANELS, TOOLBAR, MARGIN, FALLBACK_SCREEN = 40, 110, 50, 20, (1366, 768)


def notebook_shell():
    """The running IPython kernel's shell (Jupyter, Colab), or None. IPython is not a
    dependency: it is only looked for where it is already running."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell if shell is not None and hasattr(shell, "kernel") else None


def missing_toolkit_advice():
    """What to install so that matplotlib can open a window on this platform."""
    tk = {"darwin": "Homebrew's Python: brew install python-tk",
          "win32": "rerun the python.org installer and tick 'tcl/tk and IDLE'"}.get(
        sys.platform, "Debian/Ubuntu: sudo apt install python3-tk; Fedora: sudo dnf install "
                      "python3-tkinter")
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
    backend = plt.get_backend().lower()     # matplotlib falls back to agg when it has no GUI
    if notebook_shell() is not None and ("inline" in backend or "ipympl" in backend
                                         or "widget" in backend):
        return Screen("notebook" if "inline" in backend else "widget", NOTEBOOK_INTERVAL,
                      share=NOTEBOOK_SHARE)
    if backend not in NON_GUI_BACKENDS:
        return Screen("window", WINDOW_INTERVAL, share=WINDOW_SHARE)
    display = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    if sys.platform not in ("darwin", "win32") and not display:
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
        print(f"no usable display (matplotlib could not open a window on {display!r}): "
              "training without one; the figure is saved at the end")
    return None


def tkinter_works():
    try:
        import tkinter  # noqa: F401
    except ImportError:
        return False
    return True


class Pacer:
    """due() is True at most once every `interval` seconds of `clock` (and the first time), and
    never sooner than `share` allows: if a frame took d seconds to draw (drawn() says when it is
    done), the next waits at least d / share after it began, however slow the machine."""

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
        self.drawing = self.clock() - self.last


class Screen:
    """A figure on screen: kind "window" (a GUI backend), "notebook" (Jupyter's inline images,
    one output updated in place) or "widget" (ipympl's canvas)."""

    def __init__(self, kind, interval, clock=time.monotonic, share=WINDOW_SHARE):
        self.kind, self.pacer = kind, Pacer(interval, clock, share)
        self.fig = self.changing = self.background = self.handle = None
        self.closed = False

    def show(self, fig, changing, title, on_close, layout=None):
        """Put fig on screen, its window titled `title` and fitted to the screen (in the
        arrangement of `layout`, a FigureLayout, that shows it largest). changing: the artists
        an update changes (a window redraws only those); on_close() is called if the learner
        closes the window."""
        import matplotlib.pyplot as plt
        self.fig, self.changing = fig, changing
        if self.kind == "window":
            fig.canvas.mpl_connect("close_event", lambda event: (setattr(self, "closed", True),
                                                                 on_close()))
            fit_window(fig, title, layout)
            plt.show(block=False)
        else:                                  # the cell's output: one image, or ipympl's canvas
            from IPython.display import display
            self.handle = display(fig.canvas if self.kind == "widget" else png_of(fig),
                                  display_id=True)

    def show_also(self, fig, title, keep_open):
        """Show another figure beside the run's: in a window of its own, titled `title`, if the
        run's window stays open (keep_open), to be closed with it; in a notebook, below the
        run's figure."""
        if self.kind != "window":
            from IPython.display import display
            display(fig.canvas if self.kind == "widget" else png_of(fig))
        elif keep_open:
            fit_window(fig, title)
            fig.show()

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
        else:                      # blitting: only what changes, over a saved image of the rest
            layout = (canvas.get_width_height(), [ax.viewLim.bounds for ax in self.fig.axes])
            if self.background is None or layout != self.layout:   # resized, or new limits
                for artist in self.changing:
                    artist.set_animated(True)     # left out of the full draw ...
                canvas.draw()
                self.background, self.layout = canvas.copy_from_bbox(self.fig.bbox), layout
                for artist in self.changing:
                    artist.set_animated(False)    # ... but not out of a saved figure
            else:
                canvas.restore_region(self.background)
            for artist in self.changing:
                self.fig.draw_artist(artist)
            canvas.blit(self.fig.bbox)
            canvas.flush_events()
        if self.pacer.last is not None:
            self.pacer.drawn()


def fit_window(fig, title, layout=None):
    """Title fig's window, and shrink it to fit the screen it opens on, toolbar, title bar and
    the desktop's panels included: the whole figure scaled alike (its dots per inch), so that
    every part stays in view; never enlarged. Where the screen's size cannot be known, it fits
    a laptop's 1366 x 768. layout: a FigureLayout, arranged landscape unless portrait shows it
    larger (on a screen taller than wide). Saved files keep their own size (save_figure gives
    their dpi)."""
    manager = fig.canvas.manager
    manager.set_window_title(title)
    width, height = screen_room(manager) or (FALLBACK_SCREEN[0], FALLBACK_SCREEN[1] - PANELS)

    def fitting(inches):              # the dpi that fits, never above the figure's own
        return min((width - 2 * MARGIN) / inches[0], (height - TOOLBAR) / inches[1],
                   fig._original_dpi)  # (the dpi before the screen's pixel ratio: matplotlib's)
    if layout is not None:
        layout.arrange(fitting(layout.sizes[True]) >= fitting(layout.sizes[False]))
    dpi = fitting(fig.get_size_inches())
    if dpi < fig._original_dpi:
        fig._original_dpi = dpi
        fig.set_dpi(dpi * fig.canvas.device_pixel_ratio)
        if hasattr(manager.toolbar, "winfo_reqwidth"):   # Tk's asks for the figure's first width
            manager.toolbar.configure(width=int(fig.bbox.width))


def screen_room(manager):
    """The room a window has on the screen, (width, height) in the screen's logical pixels (a
    window's size before the pixel ratio of a high-resolution screen), less the desktop's
    panels; None where the backend does not say (macOS's own, GTK, wx)."""
    window = getattr(manager, "window", None)
    if hasattr(window, "winfo_screenheight"):               # Tk: the whole screen
        ratio = (window.tk.call("tk", "scaling") / (96 / 72) if sys.platform == "win32" else
                 window.winfo_fpixels("1i") / 96 if sys.platform == "linux" else 1.0)
        return (window.winfo_screenwidth() / ratio,         # (matplotlib's own ratio)
                window.winfo_screenheight() / ratio - PANELS)
    screen = getattr(window, "screen", None)                # Qt: the room panels leave
    if callable(screen) and screen() is not None:
        room = screen().availableGeometry()
        return room.width(), room.height() - TITLE_BAR
    return None


def png_of(fig):
    """The figure as a PNG image for a notebook's output (rendered here: not every matplotlib
    and IPython pair registers Jupyter's figure formatter)."""
    import io
    from IPython.display import Image
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80)
    return Image(data=buffer.getvalue(), format="png")


def close(screen, figures, keep_open, waiting=None):
    """After training. A window waits for the learner to close it (if keep_open); waiting(how),
    if given, is called first with how to close it, and returns what the window's title should
    say (after its program's name). A notebook keeps its last images and the figures are freed
    (left open, Jupyter would show them again); ipympl's canvases stay open, to zoom in.
    figures: the run's, None for none."""
    import matplotlib.pyplot as plt
    if screen is not None and screen.kind == "window" and keep_open and not screen.closed:
        how = ("close the window to exit" if figures[1:] in ([], [None]) else
               "close the windows to exit")
        manager = figures[0].canvas.manager
        if waiting is not None:
            program = manager.get_window_title().split(":")[0]
            manager.set_window_title(f"{program}: {waiting(how)}")
        figures[0].canvas.draw_idle()
        print(how)
        plt.show()
    for fig in figures:
        if fig is not None and (screen is None or screen.kind != "widget"):
            plt.close(fig)
