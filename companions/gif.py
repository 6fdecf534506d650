"""--gif: an animated GIF of the training figure, about 120 frames whatever the run's length."""
from companions.files import write_atomically


class GifRecorder:
    """One frame every few iterations, with matplotlib's own Pillow writer. The writer keeps the
    frames in memory; finish() adds the final figure and writes them all, atomically."""

    frames_wanted = 120

    def __init__(self, fig, path, maxiter):
        from matplotlib.animation import PillowWriter
        self.path = path
        self.every = max(1, round(maxiter / self.frames_wanted))
        self.frames = 0
        self.writer = PillowWriter(fps=12)
        self.writer.setup(fig, path, dpi=45)

    def wants(self, iteration):
        return iteration % self.every == 0

    def grab(self):
        self.writer.grab_frame()
        self.frames += 1

    def finish(self):
        self.grab()                           # the final figure, with the kept weights, ends it

        def write(tmp):
            self.writer.outfile = tmp
            self.writer.finish()
        write_atomically(self.path, write)
