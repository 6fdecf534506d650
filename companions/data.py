"""Reading data: the galaxy CSVs read and checked, the sets a run trains on, the arrays the
article's functions are given checked, and files written whole or not at all.

- Reading: the galaxy CSVs, one galaxy a row: the label (0, 1, 2, ...), then the image's gray
  levels 0..255 in row-major order, no header. load_data returns the pixels scaled to [0, 1]
  (article section 6) and the labels (read_images, the gray levels as they are: the galaxy
  generator reads its CSVs with it). read_sets gives a run its sets: the article's galaxies
  fetched first with --data tutorial (companions/download.py), a validation set carved out with
  --validation.
- Writing: each file goes to a temporary file beside its target and is then renamed over it, so
  an interrupted run never leaves half a file in place of a good one (the galaxy generator
  writes its CSVs the same way).

Anything the user must fix (a file that cannot be read or written, a row that does not fit)
raises UserError with one line naming the file, and the row and column where there are any;
ann.py prints it without a traceback.
"""
import math
import os
import sys
from collections import namedtuple

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


# ==== The sets a run trains on ====================================================================

Sets = namedtuple("Sets", "X_train y_train X_test y_test num_labels validation")


def read_sets(args):
    """The sets a run trains on, from its options: the article's galaxies (downloaded if need
    be) with --data tutorial, else args.train and args.test; with --validation, a validation
    set (X, y) carved from the training set, else None."""
    import ann
    if args.data == "tutorial":
        from companions import download
        args.train, args.test = download.tutorial_data()
    X_train, y_train, X_test, y_test, num_labels = load_sets(args.train, args.test)
    X_train, y_train, validation = split_validation(
        X_train, y_train, args.validation, args.seed, args.train, ann.class_names(num_labels))
    return Sets(X_train, y_train, X_test, y_test, num_labels, validation)


def split_validation(X, y, fraction, seed, path, names):
    """--validation: X (m, n) and y (m,) split into a training set and a validation set, the
    rows of each in file order; returns X_train, y_train, (X_validation, y_validation), or X, y,
    None when fraction is None. From each class, round(fraction x its count) examples, drawn by
    RandomState(seed) (the same split for the same seed), go to validation: the split is
    stratified, and the two sets hold every example once. A class left with no validation or
    no training example is a UserError naming the file (path) and the class (names[k])."""
    if fraction is None:
        return X, y, None
    rng, validation = np.random.RandomState(seed), []
    for k, name in enumerate(names):
        rows = np.flatnonzero(y == k)
        count = int(round(fraction * len(rows)))
        if not 0 < count < len(rows):
            raise UserError(f"{path}: --validation {fraction:g} leaves class {name} with no "
                            f"{'validation' if count == 0 else 'training'} example ("
                            f"{fraction:g} of its {len(rows)} rounds to {count})")
        validation.append(rng.permutation(rows)[:count])
    validation = np.sort(np.concatenate(validation))
    training = np.setdiff1d(np.arange(len(y)), validation)
    return X[training], y[training], (X[validation], y[validation])


# ==== The arrays the article's functions are given ================================================

def checked_labels(theta, input_layer_size, hidden_layer_size, num_labels, X, y):
    """y as (m,) labels, after checking that theta (flat), X (m, n) and y fit together, so that
    a wrong shape is a ValueError that says which argument and what was expected, never a silent
    numpy broadcast into a wrong cost (cost_function and both gradients call it first). The
    article's y is (m, 1); (m,) works too, with the same result to the last bit."""
    size = hidden_layer_size * (input_layer_size + 1) + num_labels * (hidden_layer_size + 1)
    if np.shape(theta) != (size,):
        raise ValueError(f"theta has shape {np.shape(theta)}; a {input_layer_size} - "
                         f"{hidden_layer_size} - {num_labels} network has ({size},)")
    if np.ndim(X) != 2 or np.shape(X)[1] != input_layer_size:
        raise ValueError(f"X has shape {np.shape(X)}; expected (m, {input_layer_size}), "
                         "one image a row, without the bias column")
    if np.shape(y) not in ((len(X),), (len(X), 1)):
        raise ValueError(f"y has shape {np.shape(y)}; expected ({len(X)},) or ({len(X)}, 1), "
                         "one label per row of X")
    return np.reshape(y, -1)


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
