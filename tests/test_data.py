"""The data in and out: every bad input a user can give, and every file a run writes. Bad data or a
bad option gets one line on stderr naming it (the file, row and column), exit status 2 and no
traceback; a file is written whole or not at all. Cases call ann.main in this process (fast); one
of each kind runs the command. Mangled files from hypothesis (100) load,
or are refused with the loader's one-line error naming them, never any other exception."""
import gzip
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ann
from companions.data import UserError, check_data, load_data
from conftest import ROOT, assert_one_line_error, full, main_in_process, run_ann, toy_images


def toy_lines(count_per_class, side=8, seed=1):
    """The rows of a toy CSV as text lines: label, then side * side gray levels."""
    y, images = toy_images(count_per_class, side=side, seed=seed)
    return [",".join(str(int(v)) for v in [label, *row]) for label, row in zip(y, images)]


def write_lines(path, lines, newline="\n", encoding="utf-8"):
    with open(path, "w", newline="", encoding=encoding) as f:
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


@pytest.fixture
def good():
    """A training set (5 a class) and a test set (3 a class) of 8 x 8 toy images, as lines."""
    return toy_lines(5, seed=1), toy_lines(3, seed=2)


# ---- 1. The loader: each case a training and a test file, one bad, and what the line holds ----

def both(tmp_path, train_lines, test_lines):
    return (write_lines(tmp_path / "train.csv", train_lines),
            write_lines(tmp_path / "test.csv", test_lines))


def spoil(which, edit, *fragments):
    """A case: edit(lines) applied to the train or test file's lines; the message must name
    that file, then hold the fragments."""
    def build(tmp_path, good):
        lines = {"train": good[0], "test": good[1]}
        lines[which] = edit(lines[which])
        paths = both(tmp_path, lines["train"], lines["test"])
        return (*paths, [f"{paths[which == 'test']}: {fragments[0]}", *fragments[1:]])
    return build


def spoil_cell(which, row, column, text, *fragments):
    return spoil(which, lambda lines: set_cell(lines, row, column, text), *fragments)


def raw_test_file(name, content, *fragments):
    """A case: the test file is `name` holding the bytes `content` (or content(good))."""
    def build(tmp_path, good):
        train, _ = both(tmp_path, good[0], good[1])
        test = tmp_path / name
        test.write_bytes(content(good) if callable(content) else content)
        return train, str(test), [f"{test}: ", *fragments]
    return build


HEADER = "label," + ",".join(f"p{i}" for i in range(64))
LOADER_CASES = {
    "missing-file": lambda tmp, good: (str(tmp / "nope.csv"), both(tmp, *good)[1],
                                       [f"{tmp / 'nope.csv'}: no such file"]),
    "a-folder": lambda tmp, good: (both(tmp, *good)[0], str(tmp), [f"{tmp}: ", "folder"]),
    "gzip-file": raw_test_file("test.csv.gz", lambda good: gzip.compress(
        ("\n".join(good[1]) + "\n").encode()), "not a text file"),
    "binary-file": raw_test_file("test.bin", bytes(range(256)) * 8, "not a text file"),
    "empty-file": raw_test_file("empty.csv", b"", "empty"),
    "only-blank-lines": raw_test_file("blank.csv", b"\n\n   \n", "empty"),
    "a-header-and-no-data": raw_test_file("header_only.csv", b"label,p0,p1,p2,p3\n", "no data"),
    "rows-of-different-lengths": spoil("train", lambda lines: lines[:2] + [
        lines[2].rsplit(",", 1)[0]] + lines[3:], "row 3 has 64 values", "row 1 has 65"),
    "not-a-number": spoil_cell("train", 2, 4, "abc", "row 2, column 4: 'abc' is not a number"),
    "nan": spoil_cell("train", 4, 10, "nan", "row 4, column 10", "expected a finite number"),
    "infinity": spoil_cell("test", 2, 7, "inf", "row 2, column 7", "expected a finite number"),
    "minus-infinity-label": spoil_cell("test", 3, 1, "-inf", "row 3, column 1", "finite number"),
    "pixel-count-not-a-square": spoil("train", lambda lines: [
        line.rsplit(",", 1)[0] for line in lines], "63 pixels", "not a square"),
    "pixel-counts-differ-between-train-and-test": lambda tmp, good: (*both(
        tmp, good[0], toy_lines(3, side=6, seed=2)), ["test.csv: 36 pixels", "train.csv has 64"]),
    "label-not-whole": spoil_cell("train", 5, 1, "1.5", "row 5, column 1: label 1.5", "whole"),
    "negative-label": spoil_cell("test", 2, 1, "-1", "row 2, column 1: label -1", "whole number"),
    # (1e20 does not fit an int64: it once became -2**63, then trained, or crashed after)
    "training-label-too-big-for-an-integer": spoil_cell("train", 2, 1, "1e20", "row 2, column 1"),
    "test-label-too-big-for-an-integer": spoil_cell("test", 2, 1, "1e20", "row 2, column 1"),
    # a header on line 1 and a blank line 3: the bad label, of the 4th image, is on line 6
    "test-label-beyond-the-training-classes-at-its-line": spoil(
        "test", lambda lines: set_cell([HEADER, lines[0], "", *lines[1:]], 6, 1, "3"),
        "row 6, column 1: label 3", "0..2"),
    "pixel-above-255": spoil_cell("train", 6, 20, "256", "row 6, column 20", "256", "0..255"),
    "negative-pixel": spoil_cell("test", 1, 2, "-5", "row 1, column 2", "-5", "0..255"),
    "a-class-with-no-training-example": spoil("train", lambda lines: [
        line for line in lines if not line.startswith("1,")], "no example of class 1"),
}


@pytest.mark.parametrize("case", list(LOADER_CASES))
def test_bad_data_gets_a_one_line_error_naming_file_row_and_column_and_exit_2(tmp_path, good,
                                                                             capsys, case):
    train, test, fragments = LOADER_CASES[case](tmp_path, good)
    assert_one_line_error(short_run(capsys, train, test, tmp_path), *fragments)


# Odd files that load: (what is done to the training file's lines, how it is written, a note)
LOADS = {
    # Excel's "CSV UTF-8" starts the file with a byte-order mark: the first row is data
    "utf8-byte-order-mark": (lambda lines: lines, dict(encoding="utf-8-sig"), None),
    "windows-line-endings-blank-lines-and-float-pixels": (lambda lines: [
        line.replace(",", ".0,") + ".0" for line in lines[:4]] + ["", *lines[4:]],
        dict(newline="\r\n"), None),
    "a-header-line": (lambda lines: [HEADER, *lines], {}, "skipped line 1, a header"),
}


@pytest.mark.parametrize("case", list(LOADS))
def test_odd_files_that_hold_good_data_load_whole_and_train(tmp_path, good, capsys, case):
    edit, how, note = LOADS[case]
    train = write_lines(tmp_path / "train.csv", edit(good[0]), **how)
    result = short_run(capsys, train, write_lines(tmp_path / "test.csv", good[1]), tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("15 training and 9 test images"), result.stdout[:200]
    assert result.stderr == ("" if note is None else f"note: {train}: {note} (the format has "
                             "none: each row is a label, then the pixels)\n")


def test_a_stray_training_label_is_named_in_a_note_and_four_classes_train_and_are_shown(
        tmp_path, good, capsys):
    # one row labelled 3 among galaxies labelled 0-2 silently made a four-class network
    train, test = both(tmp_path, set_cell(good[0], 7, 1, "3"), good[1])
    result = short_run(capsys, train, test, tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"note: {train}: class 3 has only 1 training example of 15 (first at row 7); a " \
           "stray label? The network gets 4 classes" in result.stderr
    assert "4 classes; network 64 - 8 - 4" in result.stdout
    header = next(line for line in result.stdout.splitlines() if "true \\ predicted" in line)
    assert header.split()[3:] == ["0", "1", "2", "3"]          # classes by number
    X, y = load_data(train)
    titles = [t.get_text() for t in ann.LiveFigure(X, y, 4, 8, 5).galaxy_ax.texts
              if t.get_text().startswith("true")]
    assert titles == ["true: class 0", "true: class 1", "true: class 2", "true: class 3"]


@pytest.mark.parametrize("count, total, noted", [(4, 304, True), (5, 305, False),
                                                 (6, 906, True), (10, 910, False)])
def test_a_class_is_noted_below_5_examples_or_below_1_percent(tmp_path, count, total, noted):
    rows = [f"{k % 2}," + ",".join(["200"] * 16) for k in range(total - count)]
    rows[2:2] = [",".join(["2"] + ["100"] * 16)] * count      # from row 3 of the file
    path = write_lines(tmp_path / "train.csv", rows)
    notes = []
    load_data(path, notes)
    assert notes == ([f"note: {path}: class 2 has only {count} training examples of {total} "
                      "(first at row 3); a stray label? The network gets 3 classes"]
                     if noted else [])


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


# ---- 2. The options: refused before any data is read, each naming the option --------------------

OPTION_CASES = {   # the options ({tmp}: a folder; {readonly}: one the user may not write in)
    "hidden-0": (["--hidden", "0"], "argument --hidden: must be 1 or more"),
    "hidden-too-many": (["--hidden", "100000000"], "argument --hidden: must be at most 4096"),
    "hidden-not-whole": (["--hidden", "2.5"], "argument --hidden: a whole number is expected"),
    "seed-not-a-number": (["--seed", "abc"], "argument --seed: a whole number is expected, not"),
    "lmbda-negative-equals-form": (["--lmbda=-0.5"], "argument --lmbda: ", "0 or more"),
    "lmbda-too-large": (["--lmbda", "1e308"], "argument --lmbda: must be at most 1e6"),
    "maxiter-0": (["--maxiter", "0"], "argument --maxiter: must be 1 or more"),
    "sweep-lmbda-too-large": (["--sweep-lmbda", "1,1e9"], "argument --sweep-lmbda: ", "1e6"),
    "validation-1": (["--validation", "1"], "argument --validation: ", "between 0 and 1, not 1"),
    "validation-nan": (["--validation", "nan"], "argument --validation: ", "not nan"),
    "save-in-missing-folder": (["--save", "{tmp}/no/such/f.png"], "--save: ", "does not exist"),
    "save-in-unwritable-folder": (["--save", "{readonly}/f.png"], "--save: ", "is not writable"),
    "save-is-a-folder": (["--save", "{tmp}"], "argument --save: ", "is a folder"),
    "save-no-extension": (["--save", "{tmp}/figure"], "argument --save: ", "should end in"),
    "gif-bad-extension": (["--gif", "{tmp}/a.png"], "argument --gif: ", "a.png' should end in "
                                                                        ".gif"),
    "save-weights-bad-extension": (["--save-weights", "{tmp}/w.txt"], "--save-weights: ", "end in"),
    "mistakes-bad-extension": (["--mistakes", "{tmp}/m.txt"], "argument --mistakes: ", "end in"),
    "misspelt": (["--vectorised"], "unrecognized arguments: --vectorised (did you mean "
                                   "--vectorized?)"),
    "two-outputs-one-file": (["--save", "{tmp}/s.png", "--mistakes", "{tmp}/s.png"],
                             "--save and --mistakes would both write", "s.png"),
    "default-figure-and-another": (["--gif", "ann.gif", "--mistakes", "ann.png"],
                                   "--save (its default) and --mistakes would both"),
    "gif-and-figure-one-file": (["--save", "{tmp}/a.gif", "--gif", "{tmp}/a.gif"],   # (where
                                "a.gif"),             # savefig writes no GIF, --save refuses it)
    "tutorial-and-own-files": (["--data", "tutorial"], "--data tutorial trains on the article's"),
    "sweep-and-one-run-only": (["--sweep", "--gif", "{tmp}/a.gif"], "--sweep trains many "
                               "networks and saves only its heat map: leave out --gif"),
    "weights-and-training": (["--weights", "w.npz", "--validation", "0.2", "--mistakes",
                              "{tmp}/m.png"], "--weights evaluates saved weights without "
                             "training: leave out --mistakes and --validation"),
}


@pytest.mark.parametrize("case", list(OPTION_CASES))
def test_a_bad_option_is_one_line_naming_it_before_any_data_is_read(tmp_path, capsys,
                                                                   monkeypatch, case):
    options, *fragments = OPTION_CASES[case]
    readonly = tmp_path / "readonly"
    readonly.mkdir()
    real_access = os.access               # as a user sees a folder of root's (root may write)
    monkeypatch.setattr(os, "access", lambda path, mode: str(path) != str(readonly)
                        and real_access(path, mode))
    options = [o.format(tmp=tmp_path, readonly=readonly) for o in options]
    missing = str(tmp_path / "missing_train.csv")
    with pytest.raises(SystemExit) as exit_:
        ann.main(["--train", missing, *options])
    err = capsys.readouterr().err
    line = assert_one_line_error(subprocess.CompletedProcess("", exit_.value.code, "", err),
                                 *fragments)
    assert "missing_train" not in err and "_value" not in line    # nor a function's name


def test_each_kind_of_bad_input_from_the_command_line_is_one_line_before_any_message(tmp_path,
                                                                                     good):
    train, test, fragments = LOADER_CASES["nan"](tmp_path, good)
    # on a desktop or none, headless or not: the data error comes before any display message
    for args, env, said in ((["--train", train, "--test", test], {}, fragments[0]),
                            (["--train", train, "--maxiter", 0], {}, "--maxiter: must be 1"),
                            (["--maxiter", 1], {"MPLBACKEND": "bogus"}, "MPLBACKEND='bogus' is "
                             "not a backend matplotlib knows (for example agg, tkagg or qtagg)")):
        result = run_ann(*args, headless=False, env=env)
        assert_one_line_error(result, said)
        assert result.stdout == "", result.stdout


def test_ann_py_copied_alone_says_in_one_line_to_get_the_whole_project(tmp_path):
    script = tmp_path / "ann.py"
    script.write_bytes(open(os.path.join(os.path.dirname(ann.__file__), "ann.py"), "rb").read())
    result = run_ann("--no-plot", script=str(script))
    assert result.returncode != 0 and result.stdout == "" and len(result.stderr.splitlines()) == 1
    assert "companions/ folder" in result.stderr and "get the whole project" in result.stderr


# ---- 3. The files a run writes: whole or not at all ---------------------------------------------

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
    ann.data.write_atomically(str(target), lambda tmp: open(tmp, "wb").close())
    assert target.read_bytes() == b"" and os.listdir(tmp_path) == [target.name]


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
    monkeypatch.setattr(ann.finish, "save_figure", vanishing)
    weights = tmp_path / "w.npz"
    result = short_run(capsys, train, test, gone, "--save-weights", weights)
    assert result.returncode == 2 and result.stderr == (
        f"ann.py: error: {gone / 'figure.png'}: cannot write it (No such file or directory)\n")
    assert f"saved the weights to {weights}" in result.stdout and weights.exists()


def test_the_output_names_the_docs_use_are_ignored_by_git():
    text = "".join(open(os.path.join(ROOT, *path.split("/"))).read() for path in (
        "README.md", "docs/careful-reader.md", "docs/running.md"))
    names = set(re.findall(r"--(?:save|gif|mistakes|save-weights) (\w+\.\w+)", text)) | {
        "ann.png", "sweep.png"}                                    # and the defaults
    ignored = subprocess.run(["git", "check-ignore", *names], cwd=ROOT, capture_output=True,
                             text=True)
    if ignored.returncode == 128:
        pytest.skip("not a git checkout")
    assert set(ignored.stdout.split()) == names and "mistakes.png" in names


# ---- 4. Mangled files ---------------------------------------------------------------------------

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


def mangled_files(count):
    """A test of `count` mangled files, derandomized: the same files every time."""
    return lambda test: settings(max_examples=count, deadline=None, derandomize=True,
                                 database=None, suppress_health_check=[
                                     HealthCheck.too_slow, HealthCheck.data_too_large])(
        given(st.data())(test))


@mangled_files(100)
def test_a_mangled_file_loads_or_gets_a_one_line_error_naming_it(data):
    check_mangled_file(data)


def check_mangled_file(data):
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "train.csv")
        with open(path, "w") as f:
            f.write(VALID)
        X, y = load_data(path)
        assert X.shape == (9, 16) and list(y) == [0, 1, 2] * 3      # unmangled, it loads
        with open(path, "wb") as f:
            f.write(mutate(VALID, data))
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
