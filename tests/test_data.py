"""The data in and out: every bad input a user can give, and every file a run writes.

Bad data gets one line on stderr naming the file (and the row and column), exit status 2 and no
traceback; a bad option an argparse usage error before any data is read; a file is written whole
or not at all. Cases call ann.main in this process, which is what `python ann.py` runs (fast);
one of each also runs the command itself. The loader also meets mangled files from hypothesis:
each one loads, or is refused with the loader's one-line UserError naming it, never with any
other exception (100 files here; 2,000 in the full tier, the same every time).
"""
import gzip
import math
import os
import re
import sys
import tempfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ann
from companions.data import UserError, check_data, load_data
from conftest import full, main_in_process, run_ann, toy_images


def toy_lines(count_per_class, side=8, seed=1):
    """The rows of a toy CSV as text lines: label, then side * side gray levels."""
    y, images = toy_images(count_per_class, side=side, seed=seed)
    return [",".join(str(int(v)) for v in [label, *row]) for label, row in zip(y, images)]


def write_lines(path, lines, newline="\n"):
    with open(path, "w", newline="") as f:
        f.write("".join(line + newline for line in lines))
    return str(path)


def set_cell(lines, row, column, text):
    """Replace the cell at 1-based (row, column) of a list of CSV lines; returns a new list."""
    lines = list(lines)
    cells = lines[row - 1].split(",")
    cells[column - 1] = text
    lines[row - 1] = ",".join(cells)
    return lines


def short_run(capsys, train, test, tmp_path, *more):
    """ann.main on these files in this process: 3 vectorized iterations, headless."""
    return main_in_process(capsys, "--train", train, "--test", test, "--maxiter", 3,
                           "--vectorized", "--no-plot", "--save", tmp_path / "figure.png", *more)


def assert_one_line_error(result, *fragments):
    """Exit status 2, no traceback, exactly one line on stderr, `ann.py: error: ...` holding
    every fragment (the file, the row and column, what was expected)."""
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 2, (result.returncode, result.stdout[-2000:], result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("ann.py: error: "), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    assert "iter=" not in result.stdout          # nothing was trained
    return lines[0]


@pytest.fixture
def good():
    """A training set (5 a class) and a test set (3 a class) of 8 x 8 toy images, as lines."""
    return toy_lines(5, seed=1), toy_lines(3, seed=2)


# ================================================================================================
# 1. The loader. Each case builds a training and a test file, one of them bad, and names what the
# error line must hold.
# ================================================================================================

def both(tmp_path, train_lines, test_lines):
    return (write_lines(tmp_path / "train.csv", train_lines),
            write_lines(tmp_path / "test.csv", test_lines))


def spoil_cell(which, row, column, text, *fragments):
    """A case: the cell at (row, column) of the train or test file replaced by text; the
    message must name that file, then hold the fragments."""
    def build(tmp_path, good):
        lines = {"train": good[0], "test": good[1]}
        lines[which] = set_cell(lines[which], row, column, text)
        paths = both(tmp_path, lines["train"], lines["test"])
        return (*paths, [f"{paths[which == 'test']}: {fragments[0]}", *fragments[1:]])
    return build


def missing_file(tmp_path, good):
    missing = str(tmp_path / "no_such_train.csv")
    return missing, both(tmp_path, good[0], good[1])[1], [f"{missing}: no such file"]


def folder(tmp_path, good):
    train, _ = both(tmp_path, good[0], good[1])
    (tmp_path / "test_folder.csv").mkdir()
    test = str(tmp_path / "test_folder.csv")
    return train, test, [f"{test}: ", "folder"]


def raw_test_file(name, content, *fragments):
    """A case: the test file is `name` holding the bytes `content` (or content(good))."""
    def build(tmp_path, good):
        train, _ = both(tmp_path, good[0], good[1])
        test = tmp_path / name
        test.write_bytes(content(good) if callable(content) else content)
        return train, str(test), [f"{test}: ", *fragments]
    return build


def ragged_rows(tmp_path, good):
    train_lines = list(good[0])
    train_lines[2] = train_lines[2].rsplit(",", 1)[0]            # row 3: one pixel short
    train, test = both(tmp_path, train_lines, good[1])
    return train, test, [f"{train}: row 3 has 64 values", "row 1 has 65"]


def not_a_square(tmp_path, good):
    train, test = both(tmp_path, [line.rsplit(",", 1)[0] for line in good[0]],
                       [line.rsplit(",", 1)[0] for line in good[1]])     # 63 pixels a row
    return train, test, [f"{train}: 63 pixels", "not a square"]


def sizes_differ(tmp_path, good):
    train, test = both(tmp_path, good[0], toy_lines(3, side=6, seed=2))  # 8 x 8 and 6 x 6
    return train, test, [f"{test}: 36 pixels", f"{train} has 64"]


def class_missing(tmp_path, good):
    train, test = both(tmp_path, [line for line in good[0] if not line.startswith("1,")],
                       [line for line in good[1] if not line.startswith("1,")])  # labels 0, 2
    return train, test, [f"{train}: no example of class 1"]


LOADER_CASES = {
    "missing-file": missing_file,
    "a-folder": folder,
    "gzip-file": raw_test_file(
        "test.csv.gz", lambda good: gzip.compress(("\n".join(good[1]) + "\n").encode()),
        "not a text file"),
    "binary-file": raw_test_file("test.bin", bytes(range(256)) * 8, "not a text file"),
    "empty-file": raw_test_file("empty.csv", b"", "empty"),
    "only-blank-lines": raw_test_file("blank.csv", b"\n\n   \n", "empty"),
    "a-header-and-no-data": raw_test_file("header_only.csv", b"label,p0,p1,p2,p3\n", "no data"),
    "rows-of-different-lengths": ragged_rows,
    "a-cell-that-is-not-a-number": spoil_cell("train", 2, 4, "abc", "row 2, column 4",
                                              "'abc' is not a number"),
    "nan": spoil_cell("train", 4, 10, "nan", "row 4, column 10", "expected a finite number"),
    "infinity": spoil_cell("test", 2, 7, "inf", "row 2, column 7", "expected a finite number"),
    "minus-infinity-label": spoil_cell("test", 3, 1, "-inf", "row 3, column 1",
                                       "expected a finite number"),
    "pixel-count-not-a-square": not_a_square,
    "pixel-counts-differ-between-train-and-test": sizes_differ,
    "label-not-a-whole-number": spoil_cell("train", 5, 1, "1.5", "row 5, column 1: label 1.5",
                                           "expected a whole number"),
    "negative-label": spoil_cell("test", 2, 1, "-1", "row 2, column 1: label -1",
                                 "expected a whole number"),
    "test-label-beyond-the-training-classes": spoil_cell("test", 4, 1, "3", "", "label 3",
                                                         "0..2"),
    "pixel-above-255": spoil_cell("train", 6, 20, "256", "row 6, column 20", "256", "0..255"),
    "negative-pixel": spoil_cell("test", 1, 2, "-5", "row 1, column 2", "-5", "0..255"),
    "a-class-with-no-training-example": class_missing,
}


@pytest.mark.parametrize("case", list(LOADER_CASES))
def test_bad_data_gets_a_one_line_error_naming_file_row_and_column_and_exit_2(tmp_path, good,
                                                                             capsys, case):
    train, test, fragments = LOADER_CASES[case](tmp_path, good)
    assert_one_line_error(short_run(capsys, train, test, tmp_path), *fragments)


def test_bad_data_on_the_command_line_exits_2_with_one_line_and_no_traceback(tmp_path, good):
    train, test, fragments = LOADER_CASES["nan"](tmp_path, good)
    assert_one_line_error(run_ann("--train", train, "--test", test, "--no-plot"), *fragments)


def test_test_label_beyond_the_training_classes_is_reported_at_its_row_in_the_file(
        tmp_path, good, capsys):
    # a header on line 1 and a blank line 3: the bad label, of the 4th image, is on line 6
    header = "label," + ",".join(f"p{i}" for i in range(64))
    test_lines = set_cell([header, good[1][0], "", *good[1][1:]], 6, 1, "3")
    train, test = both(tmp_path, good[0], test_lines)
    message = assert_one_line_error(short_run(capsys, train, test, tmp_path), test, "label 3")
    assert re.search(r"\b(row|line) 6\b", message), message


def test_a_header_line_is_skipped_with_a_note_and_training_runs(tmp_path, good, capsys):
    header = "label," + ",".join(f"pixel{i}" for i in range(64))
    train, test = both(tmp_path, [header, *good[0]], good[1])
    result = short_run(capsys, train, test, tmp_path)
    assert result.returncode == 0, result.stderr
    assert re.search(r"^note: .*train\.csv: skipped line 1, a header", result.stderr,
                     re.MULTILINE), result.stderr
    assert result.stdout.startswith("15 training and 9 test images")
    assert "kept the weights of iteration" in result.stdout


# ---- a stray class ------------------------------------------------------------------------------

def test_a_stray_training_label_is_named_in_a_note_and_training_goes_on(tmp_path, good, capsys):
    # one row labelled 3 among galaxies labelled 0-2 silently made a four-class network
    train_lines = set_cell(good[0], 7, 1, "3")
    train, test = both(tmp_path, train_lines, good[1])
    result = short_run(capsys, train, test, tmp_path)
    assert result.returncode == 0, result.stderr
    notes = [line for line in result.stderr.splitlines() if "class 3" in line]
    assert notes == [f"note: {train}: class 3 has only 1 training example of 15 (first at row "
                     "7); a stray label? The network gets 4 classes"], result.stderr
    assert "4 classes; network 64 - 8 - 4" in result.stdout
    assert "kept the weights of iteration" in result.stdout


@pytest.mark.parametrize("count, total, noted", [(4, 304, True), (5, 305, False),
                                                 (6, 906, True), (10, 910, False)])
def test_a_class_is_noted_below_5_examples_or_below_1_percent(tmp_path, count, total, noted):
    rows = [f"{k % 2}," + ",".join(["200"] * 16) for k in range(total - count)]
    rows[2:2] = [",".join(["2"] + ["100"] * 16)] * count      # from row 3 of the file
    path = write_lines(tmp_path / "train.csv", rows)
    notes = []
    ann.data.load_data(path, notes)
    expected = (f"note: {path}: class 2 has only {count} training examples of {total} (first at "
                "row 3); a stray label? The network gets 3 classes")
    assert notes == ([expected] if noted else [])


# ---- found by trying malformed files by hand ------------------------------------------------

def test_a_utf8_byte_order_mark_is_not_mistaken_for_a_header_and_loses_no_row(tmp_path, good,
                                                                              capsys):
    # Excel's "CSV UTF-8" starts the file with a BOM; the first row is data, not a header
    train, test = both(tmp_path, good[0], good[1])
    with open(train, "w", encoding="utf-8-sig") as f:
        f.write("\n".join(good[0]) + "\n")
    result = short_run(capsys, train, test, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "header" not in result.stderr, result.stderr
    assert result.stdout.startswith("15 training and 9 test images"), result.stdout[:200]


def test_windows_line_endings_blank_lines_and_float_pixels_are_accepted(tmp_path, good, capsys):
    train_lines = [",".join(c + ".0" for c in line.split(",")) for line in good[0]]
    train = write_lines(tmp_path / "train.csv", train_lines[:4] + [""] + train_lines[4:],
                        newline="\r\n")
    test = write_lines(tmp_path / "test.csv", good[1], newline="\r\n")
    result = short_run(capsys, train, test, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("15 training and 9 test images")


@pytest.mark.parametrize("which", ["train", "test"])
def test_a_label_too_big_for_an_integer_gets_a_one_line_error_not_a_crash_or_training(
        tmp_path, good, which, capsys):
    # 1e20 does not fit an int64: astype(int) made it -2**63 with a RuntimeWarning (which
    # short_run turns into an error), then the run trained on it (train) or crashed in
    # confusion_table after training (test)
    train, test, _ = spoil_cell(which, 2, 1, "1e20", "")(tmp_path, good)
    assert_one_line_error(short_run(capsys, train, test, tmp_path), train if which == "train"
                          else test)


def memory_limited(megabytes):
    """A run_ann runner that caps the address space, so that a runaway allocation fails fast as
    a MemoryError instead of taking the machine's memory."""
    if not sys.platform.startswith("linux"):
        pytest.skip("the address-space limit is only dependable on Linux")
    script = ("import os, resource, sys\n"
              f"limit = {megabytes} * 2 ** 20\n"
              "resource.setrlimit(resource.RLIMIT_AS, (limit, limit))\n"
              "for name in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS'):\n"
              "    os.environ[name] = '1'\n"
              "os.execv(sys.argv[1], sys.argv[1:])\n")
    return (sys.executable, "-c", script)


@full
def test_a_huge_training_label_gets_a_one_line_error_without_exhausting_memory(tmp_path, good):
    # label 10**10: check_data built set(range(10**10 + 1)) to find the missing classes
    train, test, _ = spoil_cell("train", 2, 1, "10000000000", "")(tmp_path, good)
    result = run_ann("--train", train, "--test", test, "--no-plot", runner=memory_limited(1000))
    assert "MemoryError" not in result.stderr
    assert_one_line_error(result, train)



# ================================================================================================
# 2. The options: refused by argparse before any data is read
# ================================================================================================

OPTION_CASES = {
    "hidden-0": (["--hidden", "0"], "--hidden", "must be 1 or more"),
    "hidden-negative": (["--hidden", "-3"], "--hidden", "must be 1 or more"),
    "lmbda-negative": (["--lmbda", "-1"], "--lmbda", "0 or more"),
    "lmbda-negative-equals-form": (["--lmbda=-0.5"], "--lmbda", "0 or more"),
    "maxiter-0": (["--maxiter", "0"], "--maxiter", "must be 1 or more"),
    "save-in-missing-folder": (["--save", "{tmp}/no/such/folder/f.png"], "--save",
                               "does not exist"),
    "gif-in-missing-folder": (["--gif", "{tmp}/nope/a.gif"], "--gif", "does not exist"),
    "save-weights-in-missing-folder": (["--save-weights", "{tmp}/nope/w.npz"],
                                       "--save-weights", "does not exist"),
    "save-bad-extension": (["--save", "{tmp}/f.xyz"], "--save", "should end in"),
    "save-no-extension": (["--save", "{tmp}/figure"], "--save", "should end in"),
    "gif-bad-extension": (["--gif", "{tmp}/a.png"], "--gif", "should end in"),
    "save-weights-bad-extension": (["--save-weights", "{tmp}/w.txt"], "--save-weights",
                                   "should end in"),
    "hidden-too-many": (["--hidden", "100000000"], "--hidden", "at most 4096"),
    "lmbda-too-large": (["--lmbda", "1e308"], "--lmbda", "at most 1e6"),
    "sweep-lmbda-too-large": (["--sweep-lmbda", "1,1e9"], "--sweep-lmbda", "at most 1e6"),
    "validation-0": (["--validation", "0"], "--validation", "a fraction between 0 and 1, not 0"),
    "validation-1": (["--validation", "1"], "--validation", "a fraction between 0 and 1, not 1"),
    "validation-nan": (["--validation", "nan"], "--validation", "between 0 and 1, not nan"),
    "mistakes-bad-extension": (["--mistakes", "{tmp}/m.txt"], "--mistakes", "should end in"),
}


@pytest.mark.parametrize("case", list(OPTION_CASES))
def test_a_bad_option_gets_a_usage_error_before_any_data_is_read(tmp_path, capsys, case):
    options, name, expected = OPTION_CASES[case]
    options = [o.format(tmp=tmp_path) for o in options]
    missing = str(tmp_path / "missing_train.csv")
    with pytest.raises(SystemExit) as exit_:
        ann.main(["--train", missing, "--test", missing, *options])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.startswith("usage: ann.py"), err
    last = err.strip().splitlines()[-1]
    assert last.startswith(f"ann.py: error: argument {name}"), last
    assert expected in last, last
    assert "missing_train" not in err and "no such file" not in err    # the data was not read


def test_a_bad_option_exits_2_with_usage_from_the_command_line(tmp_path):
    missing = str(tmp_path / "missing_train.csv")
    result = run_ann("--train", missing, "--maxiter", 0, "--no-plot")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("usage: ann.py")
    assert "argument --maxiter: must be 1 or more" in result.stderr
    assert "missing_train" not in result.stderr


def test_a_save_path_that_is_an_existing_folder_gets_a_usage_error_before_any_data_is_read(
        tmp_path, capsys):
    # otherwise the whole training runs, then os.replace fails with a traceback at the end
    folder = tmp_path / "figure.png"
    folder.mkdir()
    missing = str(tmp_path / "missing_train.csv")
    with pytest.raises(SystemExit) as exit_:
        ann.main(["--train", missing, "--test", missing, "--save", str(folder)])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "usage:" in err and "argument --save" in err, err
    assert "missing_train" not in err


# ================================================================================================
# 3. Odd data that trains
# ================================================================================================

@pytest.mark.parametrize("gray", [0, 255], ids=["all-black", "all-white"])
def test_training_on_flat_images_with_huge_lambda_prints_only_finite_costs(tmp_path, gray,
                                                                           capsys):
    y = [0, 1, 2] * 5
    rows = [",".join([str(label)] + [str(gray)] * 64) for label in y]
    train = write_lines(tmp_path / "train.csv", rows)
    test = write_lines(tmp_path / "test.csv", rows[:9])
    result = short_run(capsys, train, test, tmp_path, "--lmbda", "1e6", "--maxiter", 4)
    assert result.returncode == 0, result.stderr        # (a RuntimeWarning would have raised)
    assert not re.search(r"\b(nan|inf)\b", result.stdout, re.IGNORECASE), result.stdout
    costs = [float(v) for v in re.findall(r"(?:Jtrain=|Jtest=|lowest test cost,)\s*(\S+?),?\s",
                                          result.stdout + "\n")]
    assert len(costs) >= 2 * 2 + 1 and all(math.isfinite(c) for c in costs), costs
    assert "kept the weights of iteration" in result.stdout


# ================================================================================================
# 4. The files a run writes: whole or not at all
# ================================================================================================

@pytest.mark.parametrize("failure", [KeyboardInterrupt, OSError])
def test_an_interrupted_write_leaves_the_existing_file_whole_and_no_temporary_file(tmp_path,
                                                                                  failure):
    target = tmp_path / "figure.png"
    target.write_bytes(b"the good old figure")

    def half_write(tmp):
        with open(tmp, "wb") as f:
            f.write(b"\x89PNG half")
        raise failure("interrupted mid-write")

    # a full disk or a refused permission is the user's to know of, in one line
    with pytest.raises(UserError if failure is OSError else failure):
        ann.data.write_atomically(str(target), half_write)
    assert target.read_bytes() == b"the good old figure"
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]

    def whole_write(tmp):
        with open(tmp, "wb") as f:
            f.write(b"new")
    ann.data.write_atomically(str(target), whole_write)
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


# ================================================================================================
# 5. Results that cannot be written, and the environment
# ================================================================================================

def test_an_unwritable_folder_is_refused_before_any_data_is_read(tmp_path, capsys,
                                                                  monkeypatch):
    folder = tmp_path / "read_only"
    folder.mkdir()
    real_access = os.access               # as a user sees a folder of root's (root may write)
    monkeypatch.setattr(os, "access", lambda path, mode: False if str(path) == str(folder)
                        else real_access(path, mode))
    with pytest.raises(SystemExit) as exit_:
        ann.main(["--train", "missing.csv", "--save", str(folder / "f.png")])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert f"argument --save: folder '{folder}' is not writable" in err
    assert "missing.csv" not in err


def test_a_result_that_cannot_be_written_is_one_line_the_others_are_still_written(
        tmp_path, good, capsys, monkeypatch):
    # the folder vanishes (or the disk fills) during training: the figure cannot be written
    train, test = both(tmp_path, good[0], good[1])
    gone = tmp_path / "gone"
    gone.mkdir()
    real_save_figure = ann.data.save_figure

    def vanishing(fig, path):
        if str(path).startswith(str(gone)):
            gone.rmdir()
        return real_save_figure(fig, path)
    monkeypatch.setattr(ann.data, "save_figure", vanishing)
    weights = tmp_path / "w.npz"
    status = ann.main(["--train", train, "--test", test, "--maxiter", "2", "--vectorized",
                       "--no-plot", "--save", str(gone / "f.png"), "--save-weights",
                       str(weights)])
    out, err = capsys.readouterr()
    assert status == 2
    assert err.strip().splitlines() == [f"ann.py: error: {gone / 'f.png'}: cannot write it "
                                        "(No such file or directory)"]
    assert f"saved the weights to {weights}" in out and weights.exists()


def test_an_unknown_matplotlib_backend_gets_one_line(tmp_path):
    result = run_ann("--maxiter", 1, "--no-plot", "--save", tmp_path / "f.png", headless=False,
                     env={"MPLBACKEND": "bogus"})
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "ann.py: error: MPLBACKEND='bogus' is not a backend matplotlib knows (for example agg, "
        "tkagg or qtagg)"]


# ================================================================================================
# 6. Mangled files
# ================================================================================================

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


def test_the_unmangled_file_loads():
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "train.csv")
        with open(path, "w") as f:
            f.write(VALID)
        X, y = load_data(path)
    assert X.shape == (9, 16) and list(y) == [0, 1, 2] * 3


def mangled_files(count):
    """A test of `count` mangled files, derandomized: the same files every time."""
    return lambda test: settings(max_examples=count, deadline=None, derandomize=True,
                                 database=None, suppress_health_check=[
                                     HealthCheck.too_slow, HealthCheck.data_too_large])(
        given(st.data())(test))


@mangled_files(100)
def test_a_mangled_file_loads_or_gets_a_one_line_error_naming_it(data):
    check_mangled_file(data)


@full
@mangled_files(2000)
def test_2000_mangled_files_load_or_get_a_one_line_error_naming_them(data):
    check_mangled_file(data)


def check_mangled_file(data):
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
