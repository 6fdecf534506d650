"""The CSV loader against thousands of mangled files: each one either loads, or is refused with
the loader's one-line UserError naming the file, never with any other exception.

Hypothesis builds each file from a valid small CSV (a training set of 4 x 4 images) by a few
random mutations: bytes flipped, cells cut or duplicated, rows dropped or repeated, numbers
replaced by huge, negative, fractional, non-finite or non-numeric values, separators and line
endings changed, and the whole file re-encoded. The examples are derandomized, so CI sees the
same 2,000 every time.
"""
import os
import tempfile

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from companions.data import UserError, check_data, load_data

VALID_ROWS = [[k % 3] + [(37 * k + 11 * i) % 256 for i in range(16)] for k in range(9)]
VALID = "".join(",".join(map(str, row)) + "\n" for row in VALID_ROWS)

ODD_CELLS = ["", " ", "1e308", "1e309", "-1e309", "-0", "-3", "256", "255.5", "2.5", "nan",
             "NaN", "inf", "-inf", "0x1F", "1_000", "１２", "abc", "\x00", '"7"', "3;4",
             "9" * 400, "1e-400", "4294967296", "2147483648", "2147483647", "+5", " 12 ", "٣"]


def mutate(text, data):
    """Apply a few random edits to the CSV text; returns bytes (perhaps re-encoded)."""
    lines = text.split("\n")
    for _ in range(data.draw(st.integers(1, 4))):
        kind = data.draw(st.sampled_from(["cell", "cut", "duplicate", "drop_row", "repeat_row",
                                          "separator", "line_ending", "blank", "truncate"]))
        r = data.draw(st.integers(0, max(0, len(lines) - 1)))
        cells = lines[r].split(",")
        c = data.draw(st.integers(0, max(0, len(cells) - 1)))
        if kind == "cell":
            cells[c] = data.draw(st.sampled_from(ODD_CELLS) | st.text(max_size=6))
        elif kind == "cut":
            del cells[c:c + data.draw(st.integers(1, 3))]
        elif kind == "duplicate":
            cells.insert(c, cells[c])
        elif kind == "drop_row" and len(lines) > 1:
            del lines[r]
            continue
        elif kind == "repeat_row":
            lines.insert(r, lines[r])
        elif kind == "separator":
            lines[r] = lines[r].replace(",", data.draw(st.sampled_from([";", "\t", " ", ",,"])))
            continue
        elif kind == "line_ending":
            return_ = data.draw(st.sampled_from(["\r\n", "\r", "\n\n"]))
            lines = ["\n".join(lines).replace("\n", return_)]
            continue
        elif kind == "blank":
            lines.insert(r, data.draw(st.sampled_from(["", "   ", "label,p0,p1"])))
            continue
        elif kind == "truncate":
            joined = "\n".join(lines)
            lines = [joined[:data.draw(st.integers(0, len(joined)))]]
            continue
        lines[r] = ",".join(cells)
    # mostly UTF-8, so that most files get as far as the numbers
    encoding = data.draw(st.sampled_from(["utf-8"] * 6 + ["utf-8-sig", "utf-16", "latin-1",
                                                          "cp1252"]))
    raw = "\n".join(lines).encode(encoding, errors="replace")
    for _ in range(data.draw(st.sampled_from([0, 0, 0, 0, 1, 2]))):    # flipped bytes
        if raw:
            i = data.draw(st.integers(0, len(raw) - 1))
            raw = raw[:i] + bytes([raw[i] ^ data.draw(st.integers(1, 255))]) + raw[i + 1:]
    return raw


def test_the_valid_file_loads():
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "train.csv")
        with open(path, "w") as f:
            f.write(VALID)
        X, y = load_data(path)
    assert X.shape == (9, 16) and list(y) == [0, 1, 2] * 3


@settings(max_examples=2000, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_a_mangled_file_loads_or_gets_a_one_line_error_naming_it(data):
    raw = mutate(VALID, data)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "train.csv")
        with open(path, "wb") as f:
            f.write(raw)
        for num_labels in (None, 3):                 # as a training set, and as a test set
            notes = []
            try:
                X, y = load_data(path, notes, num_labels)
            except UserError as error:
                message = str(error)
                assert message.startswith(f"{path}: "), message
                assert "\n" not in message and "\r" not in message, repr(message)
                continue
            # what loads is what the network can use: finite pixels in [0, 1], whole labels
            assert X.ndim == 2 and len(X) == len(y) >= 1 and X.shape[1] >= 1
            assert np.isfinite(X).all() and X.min() >= 0 and X.max() <= 1
            assert y.dtype.kind == "i" and y.min() >= 0
            assert all("\n" not in note for note in notes)
            if num_labels is None:
                try:
                    check_data(path, X, y, path, X)
                except UserError as error:
                    assert str(error).startswith(f"{path}: ")
