"""The data ann.py reads and writes: the CSVs checked, the article's galaxies fetched, files whole.

Every check a user's files need, the article's galaxies fetched on request, and every write
whole or not at all.

- Reading: the galaxy CSVs, one galaxy a row: the label (0, 1, 2, ...), then the image's gray
  levels 0..255 in row-major order, no header. load_data returns the pixels scaled to [0, 1]
  (article section 6) and the labels (read_images, the gray levels as they are: the galaxy
  generator reads its CSVs with it).
- Writing: each file goes to a temporary file beside its target and is then renamed over it, so
  an interrupted run never leaves half a file in place of a good one (the galaxy generator
  writes its CSVs the same way). The end of a run's files (save_outputs) are given as paths and
  values. Also the weights files of --save-weights and --weights.
- --data tutorial: the article's own galaxies (SDSS images, labelled by Galaxy Zoo 2
  volunteers), which the project may not ship, fetched at one fixed commit when a user asks,
  each file's size and SHA-256 checked. Stored files that match are used without the network;
  ANN_DATA_URL (the web address of a folder holding train.csv and test.csv) stands in for
  GitHub. A file appears whole and checked or not at all, even on Ctrl-C, which passes on as
  KeyboardInterrupt; a failure says the address, what went wrong, how to get the files by hand
  or from a mirror.

Anything the user must fix (a file that cannot be read or written, a row that does not fit)
raises UserError with one line naming the file, and the row and column where there are any;
ann.py prints it without a traceback.
"""
import hashlib
import http.client
import math
import os
import socket
import sys
import time
import urllib.error
import urllib.request
import zipfile

import numpy as np


class UserError(Exception):
    """Something the user must fix, reading or writing: said in one line, without a traceback."""


# ==== Reading the galaxy CSVs ====================================================================

def load_data(path, notes=None, num_labels=None):
    """Read a CSV of labelled images: each row a label, then the image's gray levels 0..255.

    Returns X (m, n) with the pixels scaled to [0, 1] and y (m,) integer labels. Blank lines
    are skipped; a first line that is not numbers is skipped as a header, with a note appended
    to `notes`. With num_labels, every label must be below it (a test set's labels must be
    among the training set's classes); without, the file is a training set, and a class with
    very few examples gets a note too. Anything else that does not fit raises UserError.
    """
    pixels, y = read_images(path, notes, num_labels)
    return pixels / 255.0, y


def read_images(path, notes=None, num_labels=None):
    """As load_data, the gray levels left as they are, 0..255 (the galaxy generator's --stats
    reads its CSVs so): pixels (m, n) and labels y (m,)."""
    table, rows = read_table(path, notes)
    y, pixels = checked_images(path, table, rows, num_labels)
    if notes is not None and num_labels is None:
        notes += rare_classes(path, y, rows)
    return pixels, y


def read_table(path, notes=None):
    """The numbers of a CSV file as a table (m, width), one row a non-blank line, each row as
    long as the first, and each row's line number in the file (a header line skipped, with a
    note appended to notes)."""
    try:
        with open(path, encoding="utf-8-sig") as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a folder, not a CSV file") from None
    except UnicodeDecodeError:
        raise UserError(f"{path}: not a text file (expected a CSV of numbers)") from None
    except OSError as e:
        raise UserError(f"{path}: cannot read it ({e.strerror})") from None
    rows = [(number, line) for number, line in enumerate(lines, 1) if line.strip()]
    if not rows:
        raise UserError(f"{path}: the file is empty (expected one galaxy a row)")
    first_cell = rows[0][1].split(",")[0].strip()
    if not is_number(first_cell):
        if notes is not None:
            notes.append(f"note: {path}: skipped line {rows[0][0]}, a header "
                         "(the format has none: each row is a label, then the pixels)")
        rows = rows[1:]
        if not rows:
            raise UserError(f"{path}: has a header line but no data")
    width = len(rows[0][1].split(","))
    if width < 2:
        raise UserError(f"{path}: row {rows[0][0]} has one value; expected a label, then pixels")
    table = np.empty((len(rows), width))
    for r, (number, line) in enumerate(rows):
        cells = line.split(",")
        if len(cells) != width:
            raise UserError(f"{path}: row {number} has {len(cells)} values, but row "
                            f"{rows[0][0]} has {width}; every row must have the same length")
        try:
            table[r] = cells
        except ValueError:
            column = next(c for c, cell in enumerate(cells, 1) if not is_number(cell))
            raise UserError(f"{path}: row {number}, column {column}: "
                            f"{printable(cells[column - 1])} is not a number") from None
    return table, [number for number, _ in rows]


def checked_images(path, table, rows, num_labels=None):
    """The labels y (m,) and gray levels (m, n) of a table read from path, checked: finite
    numbers, whole labels (below num_labels, if given), pixels 0..255 of a square image.
    rows[i] is table row i's line number, for the messages."""
    bad = ~np.isfinite(table)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise UserError(f"{path}: row {rows[r]}, column {c + 1}: {table[r, c]} "
                        "(expected a finite number)")
    labels = table[:, 0]
    bad = (labels != np.round(labels)) | (labels < 0) | (labels > 2 ** 31)
    if bad.any():
        r = np.flatnonzero(bad)[0]
        raise UserError(f"{path}: row {rows[r]}, column 1: label {labels[r]:g} "
                        "(expected a whole number 0, 1, 2, ...)")
    if num_labels is not None and (labels >= num_labels).any():
        r = np.flatnonzero(labels >= num_labels)[0]
        raise UserError(f"{path}: row {rows[r]}, column 1: label {labels[r]:g}, but the "
                        f"training set's classes are 0..{num_labels - 1}")
    pixels = table[:, 1:]
    bad = (pixels < 0) | (pixels > 255)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise UserError(f"{path}: row {rows[r]}, column {c + 2}: pixel value "
                        f"{pixels[r, c]:g} (expected gray levels 0..255)")
    side = math.isqrt(pixels.shape[1])
    if side * side != pixels.shape[1]:
        raise UserError(f"{path}: {pixels.shape[1]} pixels a row, which is not a square "
                        "image (32 x 32 = 1024 expected)")
    return labels.astype(int), pixels


def is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def printable(cell, limit=40):
    """A cell as it can be shown in a one-line message: stripped, quoted, cut if long."""
    text = repr(cell.strip())
    return text if len(text) <= limit else text[:limit - 4] + "...'"


def check_data(train_path, X_train, y_train, test_path, X_test):
    """Check that the training and test sets fit together; returns the number of classes K.
    (load_data has checked the test labels against the training set's classes.)"""
    if X_test.shape[1] != X_train.shape[1]:
        raise UserError(f"{test_path}: {X_test.shape[1]} pixels a row, but {train_path} has "
                        f"{X_train.shape[1]}; both sets must hold images of one size")
    num_labels = int(y_train.max()) + 1
    if num_labels < 2:
        raise UserError(f"{train_path}: every label is 0; at least two classes are needed")
    present = set(y_train.tolist())
    missing = next((k for k in range(num_labels) if k not in present), None)
    if missing is not None:
        raise UserError(f"{train_path}: no example of class {missing} (labels must be "
                        f"0..{num_labels - 1}, each with at least one example)")
    return num_labels


def rare_classes(path, y, rows):
    """Notes on classes with fewer than 5 training examples or under 1 % of them: likely a stray
    label (a 3 among galaxies labelled 0-2 makes a four-class network). Each note names the
    class, its count and the row of its first example; rows[i] is example i's line number."""
    notes = []
    classes, firsts, counts = np.unique(y, return_index=True, return_counts=True)
    for k, first, count in zip(classes, firsts, counts):
        # (a set whose classes are all small is small, not stray: only the rare ones are noted)
        if (count < 5 or count < 0.01 * len(y)) and count < counts.max() / 2:
            notes.append(f"note: {path}: class {k} has only {count} training example"
                         f"{'s' if count > 1 else ''} of {len(y)} (first at row {rows[first]}); "
                         f"a stray label? The network gets {classes[-1] + 1} classes")
    return notes


def load_sets(train_path, test_path):
    """The training and test sets, checked to fit together; notes (a skipped header, a rare
    class) go to stderr. Returns X_train, y_train, X_test, y_test and the number of classes."""
    notes = []
    X_train, y_train = load_data(train_path, notes)
    X_test, y_test = load_data(test_path, notes, int(y_train.max()) + 1)
    num_labels = check_data(train_path, X_train, y_train, test_path, X_test)
    for note in notes:
        print(note, file=sys.stderr)
    return X_train, y_train, X_test, y_test, num_labels


# ==== Writing files, whole or not at all ==========================================================

def write_atomically(path, write):
    """Call write(temporary_path), then rename the temporary file to path. A file system that
    refuses (no space, no permission) raises UserError naming path. The temporary file, beside
    path, is made with mode 0666 less the user's umask, as any ordinary file."""
    folder, name = os.path.split(os.path.abspath(path))
    suffix, tmp = os.path.splitext(name)[1], None     # (the suffix: Pillow's GIF needs it)
    try:
        while tmp is None:
            candidate = os.path.join(folder, f".{name}.{os.urandom(4).hex()}{suffix}")
            try:
                os.close(os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
                tmp = candidate
            except FileExistsError:           # another writer's name: draw again
                pass
        write(tmp)
        os.replace(tmp, path)
    except OSError as e:
        raise UserError(f"{path}: cannot write it ({e.strerror or e})") from None
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
    try:                      # the file opened here: np.load leaves it open when it fails
        with open(path, "rb") as f, np.load(f, allow_pickle=False) as saved:
            Theta1, Theta2 = saved["Theta1"], saved["Theta2"]
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, TypeError,
            AttributeError) as e:           # (the last two: one array, an .npy, not an .npz)
        raise UserError(f"{path}: not a weights file written by --save-weights "
                        f"({type(e).__name__})") from None
    if (Theta1.ndim != 2 or Theta2.ndim != 2 or Theta2.shape[1] != Theta1.shape[0] + 1
            or Theta1.dtype.kind not in "biuf" or Theta2.dtype.kind not in "biuf"
            or not (np.isfinite(Theta1).all() and np.isfinite(Theta2).all())):
        raise UserError(f"{path}: Theta1 {Theta1.shape} and Theta2 {Theta2.shape} do not make "
                        "a network (expected (h, n + 1) and (K, h + 1), finite real numbers)")
    if Theta1.shape[1] != num_pixels + 1:
        raise UserError(f"{path}: the weights take {Theta1.shape[1] - 1} pixels a row, but "
                        f"{test_path} has {num_pixels}")
    if Theta2.shape[0] != num_labels:
        raise UserError(f"{path}: the weights have {Theta2.shape[0]} classes, but "
                        f"{train_path} has {num_labels}")
    return Theta1.astype(float), Theta2.astype(float)


def save_outputs(fig, fig_path, recorder, gif_path, mistakes, mistakes_path, weights_path,
                 weights):
    """At the end of a run, the files asked for, each said in one line: the figure fig at
    fig_path, the GIF (recorder, or None) at gif_path, the mistakes figure (or None) at
    mistakes_path, and, if weights_path, the kept weights (Theta1, Theta2, the iteration they
    come from, the settings they were trained with: a dict). A file that cannot be written does
    not stop the others: the first that failed is said in one line on stderr, as ann.py says a
    UserError, and the result is False. True if every file was written."""
    failed = []

    def attempt(write, saying):
        try:
            write()
        except UserError as e:
            failed.append(str(e))
        else:
            print(saying())
    attempt(lambda: save_figure(fig, fig_path), lambda: f"saved the figure to {fig_path}")
    if recorder is not None:
        attempt(recorder.finish,
                lambda: f"saved the animation to {gif_path} ({recorder.frames} frames)")
    if weights_path:
        Theta1, Theta2, iteration, settings = weights
        attempt(lambda: save_weights(weights_path, Theta1, Theta2, dict(
            settings, iteration=iteration)), lambda: f"saved the weights to {weights_path}")
    if mistakes is not None:
        attempt(lambda: save_figure(mistakes, mistakes_path),
                lambda: f"saved the test galaxies it gets most wrong to {mistakes_path}")
    if failed:
        print(f"ann.py: error: {failed[0]}", file=sys.stderr)
    return not failed


# ==== The article's galaxies, fetched on request (--data tutorial) ===============================

COMMIT = "b9eb016f8724c7a9bb4958c701d7d4b7c266a73a"       # a fixed commit: the files never change
BASE_URL = f"https://raw.githubusercontent.com/pmocz/artificialneuralnetwork-python/{COMMIT}"
URL_VARIABLE = "ANN_DATA_URL"                             # overrides BASE_URL when set
FILES = {                                                 # name: (sha256, size in bytes)
    "train.csv": ("c014d3e4ad0ec15edb33dbcb742a7f0da1d95d2af1deca975442fdca73373d0a", 11_021_087),
    "test.csv": ("233610481a8a9f33a6f4a317e361eebed55a6312a4c8d7c863e6d16252c5da25", 2_756_526),
}
CITATION = f"""\
The tutorial's galaxies come from the GitHub repository pmocz/artificialneuralnetwork-python,
commit {COMMIT}
(licence GPL-3.0). If you use them, please cite Galaxy Zoo 2, whose volunteers classified them
(Willett et al. 2013, MNRAS 435, 2835), the Sloan Digital Sky Survey (SDSS), which took the
images, and Philip Mocz, "Create Your Own Artificial Neural Network for Multi-class
Classification (With Python)", 2023, the tutorial that prepared them."""
# A silent server is dropped after TIMEOUT seconds (connecting, any one read), and a body bringing
# less than PROGRESS_STEP bytes in DEADLINE seconds: a working line (over 3 kB/s) gets there.
TIMEOUT, DEADLINE, PROGRESS_STEP = 10.0, 20.0, 64 * 1024
CHUNK, REDRAW_EVERY = 64 * 1024, 0.1    # bytes a read; seconds between redraws on a terminal


class _Fault(Exception):             # what went wrong, in a few words: becomes a UserError
    pass


def tutorial_data(folder, out=None):
    """The paths of the tutorial's train.csv and test.csv in `folder`, downloaded if missing or
    damaged. Messages and progress (one line redrawn on a terminal, a line a quarter elsewhere)
    go to `out` (default: sys.stdout). Raises UserError."""
    out = sys.stdout if out is None else out
    base = (os.environ.get(URL_VARIABLE) or BASE_URL).rstrip("/")
    if not base.lower().startswith(("http://", "https://")):
        raise UserError(f"{URL_VARIABLE}={base!r} is not a web address: give the address of a "
                        "folder holding train.csv and test.csv, such as "
                        f"{URL_VARIABLE}=http://127.0.0.1:8000/galaxies")
    paths = {name: os.path.join(folder, name) for name in FILES}
    shown = os.path.join(os.path.abspath(folder), "")           # absolute, ending in a slash
    by_hand = (f"download {' and '.join(f'{base}/{name}' for name in FILES)} into {shown} by "
               f"hand, set {URL_VARIABLE} to the address of a mirror's folder holding both, or "
               "give your own files with --train and --test")
    missing = [name for name in FILES if not _good(paths[name], *FILES[name])]
    for name in missing:
        if os.path.lexists(paths[name]):
            print(f"{name} in {shown} is damaged (its checksum does not match): fetching it "
                  "anew", file=out)
    if not missing:
        print(f"Using the tutorial's galaxies stored in {shown} (checksums match)", file=out)
        return paths["train.csv"], paths["test.csv"]
    made = not os.path.isdir(folder)
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as e:
        raise UserError(f"could not create the folder {shown}: {_describe(e)}; {by_hand}") from None
    print(f"Downloading {' and '.join(missing)} from {base}/ into {shown}", file=out)
    for name in missing:
        url = f"{base}/{name}"
        try:
            write_atomically(paths[name], lambda tmp: _fetch(url, tmp, *FILES[name], out))
        except (_Fault, UserError, KeyboardInterrupt) as fault:
            if made and not os.listdir(folder):    # a folder made for nothing goes too
                os.rmdir(folder)
            if isinstance(fault, KeyboardInterrupt):
                raise
            raise UserError(f"could not download {url}: {fault}; {by_hand}") from None
    print(CITATION, file=out)
    return paths["train.csv"], paths["test.csv"]


def tutorial_data_stored(folder):
    """Do train.csv and test.csv in folder match the article's (size and checksum)?"""
    return all(_good(os.path.join(folder, name), *FILES[name]) for name in FILES)


def _good(path, sha256, size):
    """Is the file at path there and whole: the expected size (checked first) and checksum?"""
    try:
        with open(path, "rb") as f:
            return os.path.getsize(path) == size and hashlib.sha256(f.read()).hexdigest() == sha256
    except OSError:                             # missing or unreadable
        return False


def _fetch(url, tmp, sha256, size, out):
    """Stream url into the file tmp, showing progress; raise _Fault if anything goes wrong."""
    name, started = os.path.basename(url), time.monotonic()
    try:
        response = urllib.request.urlopen(url, timeout=TIMEOUT)
    except urllib.error.HTTPError as err:        # before URLError: it is one
        err.close()
        raise _Fault(f"the server answered HTTP {err.code} {err.reason}") from None
    except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as err:
        raise _Fault(_describe(getattr(err, "reason", err))) from None
    done = stall_done = width = 0
    digest, stall_since, drawn_at = hashlib.sha256(), started, -math.inf     # never drawn
    on_terminal = getattr(out, "isatty", bool)()
    with response, open(tmp, "wb") as f:
        announced = response.headers.get("Content-Length", "")
        if announced.isdigit() and int(announced) != size:
            raise _Fault(f"the server announces {int(announced):,} bytes, expected {size:,}")
        try:
            while True:
                try:        # read1: what has arrived; read() waits for it all, however slowly
                    chunk = response.read1(min(CHUNK, size - done + 1))
                except (OSError, http.client.HTTPException) as err:     # a time-out too
                    raise _Fault(f"no data for {TIMEOUT:g} s after {done:,} of {size:,} bytes"
                                 if isinstance(err, (TimeoutError, socket.timeout)) else
                                 f"the connection dropped after {done:,} of {size:,} bytes "
                                 f"({_describe(err)})") from None
                if not chunk:                    # the server closed the connection
                    break
                done += len(chunk)
                if done > size:
                    raise _Fault(f"the server sent more than the expected {size:,} bytes")
                digest.update(chunk)
                f.write(chunk)
                now = time.monotonic()
                if (now - drawn_at >= REDRAW_EVERY or done == size if on_terminal else
                        4 * done // size > 4 * (done - len(chunk)) // size):   # a new quarter
                    line = f"{name}: {_amount(done, size)} ({100 * done // size} %), " + \
                        _amount(done / max(now - started, 1e-6)) + "/s"
                    out.write("\r" + line.ljust(width) if on_terminal else line + "\n")
                    out.flush()
                    drawn_at, width = now, max(width, len(line))   # (blanks a longer line's end)
                if done - stall_done >= PROGRESS_STEP:
                    stall_since, stall_done = now, done
                elif now - stall_since > DEADLINE:
                    raise _Fault(f"too slow: less than {PROGRESS_STEP // 1024} KiB in "
                                 f"{DEADLINE:g} s (stopped after {done:,} of {size:,} bytes)")
        finally:
            if on_terminal and width:            # end the line drawn, even on an error
                out.write("\n")
    if done < size:
        raise _Fault(f"the download stopped after {done:,} of {size:,} bytes")
    if digest.hexdigest() != sha256:
        raise _Fault(f"the file's checksum does not match (sha256 {digest.hexdigest()[:12]}..., "
                     f"expected {sha256[:12]}...)")


def _describe(err):
    """A network or file error in a few lowercase words, on one line."""
    text = next((said for kind, said in (
        (ConnectionRefusedError, "connection refused"),
        (socket.gaierror, "could not look up the host name (no network, or a wrong address?)"),
        ((TimeoutError, socket.timeout), f"no answer within {TIMEOUT:g} s"),
        (http.client.RemoteDisconnected, "the server closed the connection without answering"),
        (ValueError, f"not a valid address ({err})")) if isinstance(err, kind)),
        getattr(err, "strerror", None) or str(err) or type(err).__name__)
    text = " ".join(text.split())
    return text[:1].lower() + text[1:]


def _amount(count, of=None):          # 812.0 kB, 3.4 MB; with `of`: 3.4 of 11.0 MB
    scale, unit = (1e6, "MB") if (of or count) >= 1e6 else (1e3, "kB")
    return (f"{count / scale:.1f}" + (f" of {of / scale:.1f}" if of else "")) + f" {unit}"
