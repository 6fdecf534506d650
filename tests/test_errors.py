"""Bad input, interrupts and numerics: each test's name says what must hold.

Bad data must get one line on stderr naming the file (and the row and column), exit status 2 and
no traceback; bad options an argparse usage error before any data is read; training must stay
finite however extreme the weights, lambda or images; Ctrl-C must end the run cleanly, with every
file written whole. Most loader and option cases call ann.main in this process, which is what
`python ann.py` runs (fast); a few of each also run the command itself.
"""
import gzip
import math
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import warnings

import numpy as np
import pytest

import ann
from conftest import ROOT, posix_only, run_ann, toy_images

ANN = os.path.join(ROOT, "ann.py")


# ---- helpers ------------------------------------------------------------------------------------

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


def short_run(train, test, *more, tmp_path, runner=()):
    """`python ann.py` on these files, a few vectorized iterations, headless."""
    return run_ann("--train", str(train), "--test", str(test), "--maxiter", "3", "--vectorized",
                   "--no-plot", "--save", str(tmp_path / "figure.png"), *more, runner=runner,
                   timeout=120)


def main_in_process(capsys, train, test, tmp_path):
    """ann.main on these files, as `sys.exit(main())` runs it, but in this process (fast). An
    exception escaping main (a traceback for the user) fails the test, and so does a warning
    the user would see on stderr. (Not a DeprecationWarning that a library raises about another
    library: Python hides those from users, and older matplotlib raises some.)"""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("default", category=DeprecationWarning)
        status = ann.main(["--train", str(train), "--test", str(test), "--maxiter", "3",
                           "--vectorized", "--no-plot", "--save", str(tmp_path / "figure.png")])
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess("ann.main", status, out, err)


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


def finite_costs(stdout):
    """Every cost printed by a run (the progress lines and the summary), as floats."""
    return [float(v) for v in re.findall(r"(?:Jtrain=|Jtest=|lowest test cost,)\s*(\S+?),?\s",
                                         stdout + "\n")]


@pytest.fixture
def good():
    """A training set (5 a class) and a test set (3 a class) of 8 x 8 toy images, as lines."""
    return toy_lines(5, seed=1), toy_lines(3, seed=2)


# ================================================================================================
# 1. The loader. Each case builds a training and a test file, one of them bad, and names what the
# error line must hold. All cases run through ann.main in this process (fast); a few also run
# as `python ann.py`, to see the real exit status and stderr.
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
    assert_one_line_error(main_in_process(capsys, train, test, tmp_path), *fragments)


@pytest.mark.parametrize("case", ["missing-file", "binary-file", "nan",
                                  "test-label-beyond-the-training-classes"])
def test_bad_data_on_the_command_line_exits_2_with_one_line_and_no_traceback(tmp_path, good,
                                                                            case):
    train, test, fragments = LOADER_CASES[case](tmp_path, good)
    assert_one_line_error(short_run(train, test, tmp_path=tmp_path), *fragments)


def test_test_label_beyond_the_training_classes_is_reported_at_its_row_in_the_file(
        tmp_path, good, capsys):
    # a header on line 1 and a blank line 3: the bad label, of the 4th image, is on line 6
    header = "label," + ",".join(f"p{i}" for i in range(64))
    test_lines = set_cell([header, good[1][0], "", *good[1][1:]], 6, 1, "3")
    train, test = both(tmp_path, good[0], test_lines)
    message = assert_one_line_error(main_in_process(capsys, train, test, tmp_path), test,
                                    "label 3")
    assert re.search(r"\b(row|line) 6\b", message), message


def test_a_header_line_is_skipped_with_a_note_and_training_runs(tmp_path, good):
    header = "label," + ",".join(f"pixel{i}" for i in range(64))
    train, test = both(tmp_path, [header, *good[0]], good[1])
    result = short_run(train, test, tmp_path=tmp_path)
    assert "Traceback" not in result.stderr
    assert result.returncode == 0, result.stderr
    assert re.search(r"^note: .*train\.csv: skipped line 1, a header", result.stderr,
                     re.MULTILINE), result.stderr
    assert result.stdout.startswith("15 training and 9 test images")
    assert "kept the weights of iteration" in result.stdout


# ---- a stray class ------------------------------------------------------------------------------

def test_a_stray_training_label_is_named_in_a_note_and_training_goes_on(tmp_path, good):
    # one row labelled 3 among galaxies labelled 0-2 silently made a four-class network
    train_lines = set_cell(good[0], 7, 1, "3")
    train, test = both(tmp_path, train_lines, good[1])
    result = short_run(train, test, tmp_path=tmp_path)
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

def test_a_utf8_byte_order_mark_is_not_mistaken_for_a_header_and_loses_no_row(tmp_path, good):
    # Excel's "CSV UTF-8" starts the file with a BOM; the first row is data, not a header
    train, test = both(tmp_path, good[0], good[1])
    with open(train, "w", encoding="utf-8-sig") as f:
        f.write("\n".join(good[0]) + "\n")
    result = short_run(train, test, tmp_path=tmp_path)
    assert "Traceback" not in result.stderr
    assert result.returncode == 0, result.stderr
    assert "header" not in result.stderr, result.stderr
    assert result.stdout.startswith("15 training and 9 test images"), result.stdout[:200]


def test_windows_line_endings_blank_lines_and_float_pixels_are_accepted(tmp_path, good):
    train_lines = [",".join(c + ".0" for c in line.split(",")) for line in good[0]]
    train = write_lines(tmp_path / "train.csv", train_lines[:4] + [""] + train_lines[4:],
                        newline="\r\n")
    test = write_lines(tmp_path / "test.csv", good[1], newline="\r\n")
    result = short_run(train, test, tmp_path=tmp_path)
    assert "Traceback" not in result.stderr
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("15 training and 9 test images")


@pytest.mark.parametrize("which", ["train", "test"])
def test_a_label_too_big_for_an_integer_gets_a_one_line_error_not_a_crash_or_training(
        tmp_path, good, which):
    # 1e20 does not fit an int64: astype(int) made it -2**63 with a RuntimeWarning, then the
    # run trained on it (train) or crashed in confusion_table after training (test)
    train, test, _ = spoil_cell(which, 2, 1, "1e20", "")(tmp_path, good)
    result = short_run(train, test, tmp_path=tmp_path)
    assert_one_line_error(result, train if which == "train" else test)
    assert "RuntimeWarning" not in result.stderr, result.stderr


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


def test_a_huge_training_label_gets_a_one_line_error_without_exhausting_memory(tmp_path, good):
    # label 10**10: check_data built set(range(10**10 + 1)) to find the missing classes
    train, test, _ = spoil_cell("train", 2, 1, "10000000000", "")(tmp_path, good)
    result = short_run(train, test, tmp_path=tmp_path, runner=memory_limited(1000))
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
    result = run_ann("--train", missing, "--maxiter", "0", "--no-plot")
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
# 3. Numerics
# ================================================================================================

def test_cost_gradients_and_evaluation_of_a_galaxy_sized_net_stay_finite_with_huge_weights():
    # the article's 1024 - 8 - 3 network, weights 100x their usual size, flat inputs, lambda 1e6,
    # the looped gradient too; any floating-point overflow or invalid value raises
    sizes = (1024, 8, 3)
    theta = ann.initial_weights(*sizes, seed=917) * 100
    y = np.array([0, 1, 2, 0, 1, 2])
    for pixels in (0.0, 1.0):
        X = np.full((6, 1024), pixels)
        for lmbda in (0.0, 1e6):
            with warnings.catch_warnings(), np.errstate(over="raise", divide="raise",
                                                        invalid="raise"):
                warnings.simplefilter("error")
                J = ann.cost_function(theta, *sizes, X, y, lmbda)
                looped = ann.gradient(theta, *sizes, X, y, lmbda)
                vectorized = ann.gradient_vectorized(theta, *sizes, X, y, lmbda)
                history = ann.History(sizes, lmbda, X, y, X, y, report=lambda line: None)
                J_eval, prediction = history.evaluate(theta, history.a1_train, y)
            assert math.isfinite(J) and math.isfinite(J_eval) and J == J_eval
            assert np.isfinite(looped).all() and np.isfinite(vectorized).all()
            assert prediction.shape == (6,) and set(prediction) <= {0, 1, 2}


def test_cost_of_outputs_saturated_the_wrong_way_is_large_but_finite():
    # every output sure of the wrong answer: z3 = +1000 for the wrong classes, -1000 for the right
    Theta1 = np.array([[0.0, 0.0]])                    # one hidden unit, always 1/2
    Theta2 = np.array([[1000.0, 0.0], [1000.0, 0.0], [-1000.0, 0.0]])
    theta = np.concatenate((Theta1.ravel(), Theta2.ravel()))
    X = np.array([[0.5]])
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        J = ann.cost_function(theta, 1, 1, 3, X, np.array([2]), 1e6)
        values = ann.g(np.array([-np.inf, -1e308, 1e308, np.inf]))
    # -log(1 - h) = log(1 + e^1000) = 1000 for each of the two wrong classes, and -log(h) =
    # log(1 + e^1000) = 1000 for the right one, whose output is g(-1000); no penalty, as the
    # non-bias weights are 0. A log clipped anywhere (or g's own floor at -500) would give less.
    assert J == pytest.approx(3000.0, rel=1e-12)
    assert list(values[2:]) == [1.0, 1.0] and 0 <= values[0] == values[1] < 1e-200


@pytest.mark.parametrize("gray", [0, 255], ids=["all-black", "all-white"])
def test_training_on_flat_images_with_huge_lambda_prints_only_finite_costs(tmp_path, gray):
    y = [0, 1, 2] * 5
    rows = [",".join([str(label)] + [str(gray)] * 64) for label in y]
    train = write_lines(tmp_path / "train.csv", rows)
    test = write_lines(tmp_path / "test.csv", rows[:9])
    result = run_ann("--train", train, "--test", test, "--maxiter", "4", "--vectorized",
                     "--lmbda", "1e6", "--no-plot", "--save", str(tmp_path / "f.png"))
    assert "Traceback" not in result.stderr
    assert result.returncode == 0, result.stderr
    assert "RuntimeWarning" not in result.stderr, result.stderr
    assert not re.search(r"\b(nan|inf)\b", result.stdout, re.IGNORECASE), result.stdout
    costs = finite_costs(result.stdout)
    assert len(costs) >= 2 * 2 + 1 and all(math.isfinite(c) for c in costs), costs
    assert "kept the weights of iteration" in result.stdout


# ================================================================================================
# 4. Interrupts and the files written
# ================================================================================================

def assert_complete_png(path):
    import matplotlib.image
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[-12:-8] == b"\x00\x00\x00\x00" and data[-8:-4] == b"IEND"   # ends with IEND
    image = matplotlib.image.imread(path)
    assert image.ndim == 3 and image.shape[0] > 100 and image.shape[1] > 100


def assert_complete_gif(path):
    from PIL import Image
    with Image.open(path) as gif:
        assert gif.format == "GIF"
        assert getattr(gif, "n_frames", 1) >= 1
        for frame in range(getattr(gif, "n_frames", 1)):      # decodes every frame
            gif.seek(frame)
            gif.load()


def assert_complete_npz(path, sizes):
    n, h, K = sizes
    with np.load(path, allow_pickle=False) as saved:
        assert saved["Theta1"].shape == (h, n + 1) and saved["Theta2"].shape == (K, h + 1)
        assert np.isfinite(saved["Theta1"]).all() and np.isfinite(saved["Theta2"]).all()


def temporary_files(folder, *names):
    """The files `.NAME.*` that write_atomically and GifRecorder leave if they do not finish."""
    return [p.name for p in folder.iterdir()
            if any(p.name.startswith(f".{name}.") for name in names)]


@posix_only
def test_sigint_stops_after_the_iteration_reports_the_kept_weights_saves_all_and_exits_130(
        tmp_path):
    from matplotlib.image import imsave
    # 3000 training images and the looped gradient: far from done when the signal comes
    train = write_lines(tmp_path / "train.csv", toy_lines(1000, seed=1))
    test = write_lines(tmp_path / "test.csv", toy_lines(10, seed=2))
    out = tmp_path / "out"
    out.mkdir()
    figure, gif, weights = out / "figure.png", out / "anim.gif", out / "weights.npz"
    imsave(figure, np.zeros((4, 4)))            # an existing good file at the --save path
    old_figure = figure.read_bytes()
    env = dict(os.environ, MPLBACKEND="agg", PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        [sys.executable, ANN, "--train", train, "--test", test, "--maxiter", "100000",
         "--no-plot", "--save", str(figure), "--gif", str(gif), "--save-weights", str(weights)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    lines = queue.Queue()

    def read_stdout():                          # line by line, as ann.py prints them
        for line in process.stdout:
            lines.put(line)
        lines.put(None)
    threading.Thread(target=read_stdout, daemon=True).start()
    stdout, iterations, deadline = [], 0, time.monotonic() + 60
    try:
        while iterations < 3:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            assert line is not None, "ann.py ended before the signal: " + "".join(stdout)
            stdout.append(line)
            iterations += line.startswith("iter=")
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    while (line := lines.get(timeout=10)) is not None:
        stdout.append(line)
    stdout, stderr = "".join(stdout), process.stderr.read()
    assert "Traceback" not in stderr, stderr
    assert process.returncode == 130, (process.returncode, stderr)

    # it stopped at the end of an iteration: the last progress line is the last iteration
    ended = re.search(r"training interrupted \(Ctrl-C\) after (\d+) iterations", stdout)
    assert ended, stdout[-3000:]
    last = int(re.findall(r"^iter=\s*(\d+):", stdout, re.MULTILINE)[-1])
    assert last == int(ended.group(1)) >= 3
    assert "iter=" not in stdout[ended.end():]
    kept = re.search(r"kept the weights of iteration (\d+), which had the lowest test cost",
                     stdout)
    assert kept and int(kept.group(1)) <= last
    assert "test set:" in stdout
    for said in (f"saved the figure to {figure}", f"saved the animation to {gif}",
                 f"saved the weights to {weights}"):
        assert said in stdout, stdout[-2000:]

    assert_complete_png(figure)
    assert figure.read_bytes() != old_figure     # replaced by the new figure, whole
    assert_complete_gif(gif)
    assert_complete_npz(weights, (64, 8, 3))
    assert temporary_files(out, figure.name, gif.name, weights.name) == []


@posix_only
def test_sigint_while_the_initial_weights_are_evaluated_still_ends_cleanly_with_130(tmp_path):
    # Ctrl-C can come during iteration 0 (train() calls training(theta0) before fmin_cg): the
    # run must still stop there, report, save and exit 130, not raise StopTraining
    script = (
        "import os, signal, sys, ann\n"
        "original = ann.History.__call__\n"
        "def call(self, theta):\n"
        "    if self.iteration == 0:\n"
        "        os.kill(os.getpid(), signal.SIGINT)\n"
        "    return original(self, theta)\n"
        "ann.History.__call__ = call\n"
        "sys.exit(ann.main(sys.argv[1:]))\n")
    train = write_lines(tmp_path / "train.csv", toy_lines(5, seed=1))
    test = write_lines(tmp_path / "test.csv", toy_lines(3, seed=2))
    figure = tmp_path / "figure.png"
    env = dict(os.environ, MPLBACKEND="agg", PYTHONPATH=ROOT)
    result = subprocess.run([sys.executable, "-c", script, "--train", train, "--test", test,
                             "--maxiter", "50", "--vectorized", "--no-plot", "--save",
                             str(figure)], capture_output=True, text=True, env=env, timeout=120)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 130, result.stderr
    assert "kept the weights of iteration 0" in result.stdout
    assert_complete_png(figure)
    assert temporary_files(tmp_path, figure.name) == []


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
    with pytest.raises(ann.data.UserError if failure is OSError else failure):
        ann.data.write_atomically(str(target), half_write)
    assert target.read_bytes() == b"the good old figure"
    assert temporary_files(tmp_path, target.name) == []

    def whole_write(tmp):
        with open(tmp, "wb") as f:
            f.write(b"new")
    ann.data.write_atomically(str(target), whole_write)
    assert target.read_bytes() == b"new"
    assert temporary_files(tmp_path, target.name) == []


# ================================================================================================
# 5. Writing the results, and the environment
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
    result = run_ann("--maxiter", "1", "--no-plot", "--save", str(tmp_path / "f.png"),
                     headless=False, env={"MPLBACKEND": "bogus"})
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "ann.py: error: MPLBACKEND='bogus' is not a backend matplotlib knows (for example agg, "
        "tkagg or qtagg)"]


def test_sweep_interrupted_prints_the_finished_runs_saves_the_map_and_exits_130(tmp_path, good,
                                                                              monkeypatch,
                                                                              capsys):
    train, test = both(tmp_path, good[0], good[1])
    real_train, calls = ann.train, []

    def interrupted_on_the_third_run(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real_train(*args, **kwargs)
    monkeypatch.setattr(ann, "train", interrupted_on_the_third_run)
    heat_map = tmp_path / "sweep.png"
    status = ann.main(["--train", train, "--test", test, "--sweep", "--sweep-hidden", "2,3",
                       "--sweep-lmbda", "0.1,1", "--maxiter", "3", "--save", str(heat_map)])
    out = capsys.readouterr().out
    assert status == 130
    assert "sweep interrupted (Ctrl-C)" in out and out.count(": test accuracy") == 2
    rows = re.findall(r"^ +(\d+) +(\S+) +(\S+)$", out, re.MULTILINE)
    assert [r[0] for r in rows] == ["2", "3"] and rows[1][1:] == ("-", "-")
    assert heat_map.read_bytes()[:4] == b"\x89PNG"
