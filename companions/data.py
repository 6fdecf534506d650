"""Reading the galaxy CSVs, with every check a user's file needs.

One galaxy a row: the label (0, 1, 2, ...), then the image's gray levels 0..255 in row-major
order, no header. load_data returns the pixels scaled to [0, 1] (article section 6) and the
labels; anything that does not fit raises DataError with one line naming the file, the row and
the column, which ann.py prints without a traceback.
"""
import math
import sys

import numpy as np


class DataError(Exception):
    """A problem with the user's input, reported as one line without a traceback."""


def load_data(path, notes=None, num_labels=None):
    """Read a CSV of labelled images: each row a label, then the image's gray levels 0..255.

    Returns X (m, n) with the pixels scaled to [0, 1] and y (m,) integer labels. Blank lines
    are skipped; a first line that is not numbers is skipped as a header, with a note appended
    to `notes`. With num_labels, every label must be below it (a test set's labels must be
    among the training set's classes); without, the file is a training set, and a class with
    very few examples gets a note too. Anything else that does not fit raises DataError.
    """
    try:
        with open(path, encoding="utf-8-sig") as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a folder, not a CSV file") from None
    except UnicodeDecodeError:
        raise DataError(f"{path}: not a text file (expected a CSV of numbers)") from None
    except OSError as e:
        raise DataError(f"{path}: cannot read it ({e.strerror})") from None
    rows = [(number, line) for number, line in enumerate(lines, 1) if line.strip()]
    if not rows:
        raise DataError(f"{path}: the file is empty (expected one galaxy a row)")
    first_cell = rows[0][1].split(",")[0].strip()
    if not is_number(first_cell):
        if notes is not None:
            notes.append(f"note: {path}: skipped line {rows[0][0]}, a header "
                         "(the format has none: each row is a label, then the pixels)")
        rows = rows[1:]
        if not rows:
            raise DataError(f"{path}: has a header line but no data")
    width = len(rows[0][1].split(","))
    if width < 2:
        raise DataError(f"{path}: row {rows[0][0]} has one value; expected a label, then pixels")
    data = np.empty((len(rows), width))
    for r, (number, line) in enumerate(rows):
        cells = line.split(",")
        if len(cells) != width:
            raise DataError(f"{path}: row {number} has {len(cells)} values, but row "
                            f"{rows[0][0]} has {width}; every row must have the same length")
        try:
            data[r] = cells
        except ValueError:
            column = next(c for c, cell in enumerate(cells, 1) if not is_number(cell))
            raise DataError(f"{path}: row {number}, column {column}: "
                            f"{printable(cells[column - 1])} is not a number") from None
    bad = ~np.isfinite(data)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise DataError(f"{path}: row {rows[r][0]}, column {c + 1}: {data[r, c]} "
                        "(expected a finite number)")
    labels = data[:, 0]
    bad = (labels != np.round(labels)) | (labels < 0) | (labels > 2 ** 31)
    if bad.any():
        r = np.flatnonzero(bad)[0]
        raise DataError(f"{path}: row {rows[r][0]}, column 1: label {labels[r]:g} "
                        "(expected a whole number 0, 1, 2, ...)")
    if num_labels is not None and (labels >= num_labels).any():
        r = np.flatnonzero(labels >= num_labels)[0]
        raise DataError(f"{path}: row {rows[r][0]}, column 1: label {labels[r]:g}, but the "
                        f"training set's classes are 0..{num_labels - 1}")
    pixels = data[:, 1:]
    bad = (pixels < 0) | (pixels > 255)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise DataError(f"{path}: row {rows[r][0]}, column {c + 2}: pixel value "
                        f"{pixels[r, c]:g} (expected gray levels 0..255)")
    side = math.isqrt(pixels.shape[1])
    if side * side != pixels.shape[1]:
        raise DataError(f"{path}: {pixels.shape[1]} pixels a row, which is not a square "
                        "image (32 x 32 = 1024 expected)")
    y = labels.astype(int)
    if notes is not None and num_labels is None:
        notes += rare_classes(path, y, [number for number, _ in rows])
    return pixels / 255.0, y


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
        raise DataError(f"{test_path}: {X_test.shape[1]} pixels a row, but {train_path} has "
                        f"{X_train.shape[1]}; both sets must hold images of one size")
    num_labels = int(y_train.max()) + 1
    if num_labels < 2:
        raise DataError(f"{train_path}: every label is 0; at least two classes are needed")
    present = set(y_train.tolist())
    missing = next((k for k in range(num_labels) if k not in present), None)
    if missing is not None:
        raise DataError(f"{train_path}: no example of class {missing} (labels must be "
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
