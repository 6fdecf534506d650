"""Writing files so that nothing the user had is left half-written, and the weights files.

Every file ann.py writes (the figure, the GIF, the weights) goes to a temporary file beside its
target and is then renamed over it: an interrupted run never leaves half a file in place of a
good one.
"""
import os
import tempfile
import zipfile

import numpy as np

from companions.csv_data import DataError


def write_atomically(path, write):
    """Call write(temporary_path), then rename the temporary file to path. A file system that
    refuses (no space, no permission) raises DataError naming path."""
    folder, name = os.path.split(os.path.abspath(path))
    suffix = os.path.splitext(name)[1]
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=suffix)
        os.close(fd)
        write(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)         # mkstemp's file is private; make it ordinary
        os.replace(tmp, path)
    except OSError as e:
        raise DataError(f"{path}: cannot write it ({e.strerror or e})") from None
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.remove(tmp)


def save_figure(fig, path):
    """Save fig in the format its path's extension names, atomically."""
    fmt = os.path.splitext(path)[1][1:].lower()
    write_atomically(path, lambda tmp: fig.savefig(tmp, format=fmt, dpi=100))


def save_weights(path, Theta1, Theta2, settings):
    """An .npz holding Theta1, Theta2 and the settings (a dict) they were trained with."""
    def write(tmp):
        with open(tmp, "wb") as f:
            np.savez(f, Theta1=Theta1, Theta2=Theta2, **settings)
    write_atomically(path, write)


def load_weights(path, test_path, num_pixels, train_path, num_labels):
    """Theta1 (h, n + 1) and Theta2 (K, h + 1) from an .npz written by --save-weights, checked
    to make a network for the test set's images (num_pixels pixels) and the training set's
    num_labels classes."""
    try:
        with np.load(path, allow_pickle=False) as saved:
            Theta1, Theta2 = saved["Theta1"], saved["Theta2"]
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as e:
        raise DataError(f"{path}: not a weights file written by --save-weights "
                        f"({type(e).__name__})") from None
    if (Theta1.ndim != 2 or Theta2.ndim != 2 or Theta2.shape[1] != Theta1.shape[0] + 1
            or Theta1.dtype.kind not in "biuf" or Theta2.dtype.kind not in "biuf"
            or not (np.isfinite(Theta1).all() and np.isfinite(Theta2).all())):
        raise DataError(f"{path}: Theta1 {Theta1.shape} and Theta2 {Theta2.shape} do not make "
                        "a network (expected (h, n + 1) and (K, h + 1), finite real numbers)")
    if Theta1.shape[1] != num_pixels + 1:
        raise DataError(f"{path}: the weights take {Theta1.shape[1] - 1} pixels a row, but "
                        f"{test_path} has {num_pixels}")
    if Theta2.shape[0] != num_labels:
        raise DataError(f"{path}: the weights have {Theta2.shape[0]} classes, but "
                        f"{train_path} has {num_labels}")
    return Theta1.astype(float), Theta2.astype(float)


def save_outputs(args, fig, recorder, Theta1, Theta2, iteration):
    """At the end of a run: the figure, the GIF (recorder, or None) and the kept weights (from
    iteration `iteration`), each where the command line asked, each said in one line. A file
    that cannot be written does not stop the others; then DataError names the first."""
    failed = []

    def attempt(path, write, saying):
        try:
            write()
        except DataError as e:
            failed.append(str(e))
        else:
            print(saying())
    attempt(args.save, lambda: save_figure(fig, args.save),
            lambda: f"saved the figure to {args.save}")
    if recorder is not None:
        attempt(args.gif, recorder.finish,
                lambda: f"saved the animation to {args.gif} ({recorder.frames} frames)")
    if args.save_weights:
        attempt(args.save_weights, lambda: save_weights(args.save_weights, Theta1, Theta2, dict(
            hidden=args.hidden, lmbda=args.lmbda, seed=args.seed, maxiter=args.maxiter,
            iteration=iteration)), lambda: f"saved the weights to {args.save_weights}")
    if failed:
        raise DataError(failed[0])
