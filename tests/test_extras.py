"""Beyond the article: weights saved and evaluated without training (--weights), and the sweep
(--sweep). Each test's name says what must hold."""
import os
import re

import numpy as np
import pytest

import ann
from conftest import (ONE_THREAD, ROOT, TUTORIAL, full, main_in_process, needs_tutorial_data,
                      roundoff, run_ann, toy_images, write_csv)


# ---- --save-weights and --weights ---------------------------------------------------------------

def evaluate(capsys, weights, train, test, tmp_path):
    """ann.py --weights: the saved weights on the test set, without training."""
    return main_in_process(capsys, "--train", train, "--test", test, "--weights", weights,
                           "--save", tmp_path / "g.png")


def test_saved_weights_give_the_same_predictions_when_loaded(saved_weights, tmp_path, capsys):
    weights, train, test, accuracy = saved_weights
    with np.load(weights) as saved:
        Theta1, Theta2 = saved["Theta1"], saved["Theta2"]
        assert int(saved["hidden"]) == 8 and float(saved["lmbda"]) == 1.0
        assert int(saved["seed"]) == 917
    X, y = ann.data.load_data(test)
    assert f"{100 * np.mean(ann.predict(Theta1, Theta2, X) == y):.1f}" == accuracy
    loaded = evaluate(capsys, weights, train, test, tmp_path)
    assert loaded.returncode == 0, loaded.stderr
    assert f"test accuracy {accuracy}%" in loaded.stdout
    assert "iter=" not in loaded.stdout                       # no training
    assert (tmp_path / "g.png").read_bytes()[:4] == b"\x89PNG"


def test_saved_weights_work_on_a_test_set_that_lacks_a_class(saved_weights, tmp_path, capsys):
    weights, train, _, _ = saved_weights
    y, pixels = toy_images(4, seed=5)
    no_irregulars = write_csv(tmp_path / "two.csv", y[y < 2], pixels[y < 2])
    result = evaluate(capsys, weights, train, no_irregulars, tmp_path)   # (warnings raise)
    assert result.returncode == 0, result.stderr
    assert re.search(r"Irregular +0 +0 +0 +- \(no example\)", result.stdout)
    assert (tmp_path / "g.png").read_bytes()[:4] == b"\x89PNG"


def test_weights_that_do_not_fit_the_data_get_a_one_line_error(saved_weights, tmp_path, capsys):
    weights = saved_weights[0]
    big = write_csv(tmp_path / "big.csv", *toy_images(3, side=16))
    result = evaluate(capsys, weights, big, big, tmp_path)
    assert result.returncode == 2 and result.stderr.strip() == (
        f"ann.py: error: {weights}: the weights take 64 pixels a row, but {big} has 256")
    y, pixels = toy_images(4, seed=5)
    two_classes = write_csv(tmp_path / "two.csv", y[y < 2], pixels[y < 2])
    result = evaluate(capsys, weights, two_classes, two_classes, tmp_path)
    assert result.returncode == 2 and result.stderr.strip() == (
        f"ann.py: error: {weights}: the weights have 3 classes, but {two_classes} has 2")


@pytest.mark.parametrize("damage", ["not a zip", "cut short", "one array (.npy)", "no Theta2",
                                    "NaN weights", "text weights", "complex weights"])
def test_a_corrupt_weights_file_gets_a_one_line_error(saved_weights, tmp_path, capsys, damage):
    good, train, test, _ = saved_weights
    weights, data = tmp_path / "w.npz", good.read_bytes()
    with np.load(good) as saved:
        Theta1, Theta2 = saved["Theta1"], saved["Theta2"]
    if damage == "not a zip":
        weights.write_bytes(b"these are not weights")
    elif damage == "cut short":
        weights.write_bytes(data[:len(data) // 2])
    elif damage == "one array (.npy)":
        with open(weights, "wb") as f:
            np.save(f, Theta1)
    elif damage == "no Theta2":
        np.savez(weights, Theta1=Theta1)
    else:
        np.savez(weights, Theta1={"NaN weights": Theta1 * np.nan, "text weights":
                                  Theta1.astype(str), "complex weights": Theta1 + 1j}[damage],
                 Theta2=Theta2)
    result = evaluate(capsys, weights, train, test, tmp_path)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1, result.stderr
    assert lines[0].startswith(f"ann.py: error: {weights}: ")
    assert "iter=" not in result.stdout and not (tmp_path / "g.png").exists()


# ---- --sweep ------------------------------------------------------------------------------------

def test_sweep_prints_a_line_per_run_a_table_of_the_same_figures_and_saves_the_heat_map(
        toy_csvs, tmp_path, capsys):
    heat_map = tmp_path / "sweep.png"
    result = main_in_process(capsys, "--train", toy_csvs[0], "--test", toy_csvs[1], "--sweep",
                             "--sweep-hidden", "2,4", "--sweep-lmbda", "0.1,1", "--maxiter", 5,
                             "--save", heat_map)
    assert result.returncode == 0, result.stderr
    runs = re.findall(r"hidden +(\d+), lambda +(\S+): test accuracy +(\d+\.\d)% \(kept, "
                      r"iteration (\d+); final (\d+\.\d)%\)", result.stdout)
    assert [(h, lmbda) for h, lmbda, *_ in runs] == [("2", "0.1"), ("2", "1"), ("4", "0.1"),
                                                      ("4", "1")]
    table = re.findall(r"^ +(\d+) +(\d+\.\d) +(\d+\.\d)$", result.stdout, re.MULTILINE)
    assert table == [("2", runs[0][2], runs[1][2]), ("4", runs[2][2], runs[3][2])]
    # each figure is what that network's kept weights get: train it again the same way
    X, y = ann.data.load_data(toy_csvs[0])
    Xt, yt = ann.data.load_data(toy_csvs[1])
    sizes = (X.shape[1], 4, 3)
    history = ann.History(sizes, 1.0, X, y, Xt, yt, report=lambda line: None)
    ann.train(history, ann.initial_weights(*sizes, 917), 5, vectorized=True)
    assert f"{100 * history.acc_test[history.best_iteration]:.1f}" == runs[3][2]
    assert int(runs[3][3]) == history.best_iteration
    from PIL import Image
    with Image.open(heat_map) as image:
        assert image.format == "PNG" and image.width > 200 and image.height > 150


def test_sweep_interrupted_prints_the_finished_runs_saves_the_map_and_exits_130(
        toy_csvs, tmp_path, monkeypatch, capsys):
    train, test = toy_csvs
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


# ---- --validation: a third set chooses the kept weights ----------------------------------------

def test_the_validation_split_is_stratified_deterministic_disjoint_and_keeps_every_example():
    y = np.array([2, 0, 0, 1, 2, 2, 0, 1, 2, 0, 0, 1, 1, 2, 0, 0, 0, 1, 2, 2] * 5)   # unequal
    X = np.arange(len(y))[:, None] * np.ones((1, 4))                         # row number
    split = ann.data.split_validation(X, y, 0.3, 917, "train.csv", ann.CLASS_NAMES)
    X_train, y_train, (X_val, y_val) = split
    rows, val_rows = X_train[:, 0].astype(int), X_val[:, 0].astype(int)
    assert np.array_equal(y[rows], y_train) and np.array_equal(y[val_rows], y_val)
    assert sorted(np.concatenate((rows, val_rows))) == list(range(len(y)))   # each once
    assert list(rows) == sorted(rows) and list(val_rows) == sorted(val_rows)  # file order
    for k in range(3):                                  # round(0.3 x each class's count)
        assert np.sum(y_val == k) == round(0.3 * np.sum(y == k))
    again = ann.data.split_validation(X, y, 0.3, 917, "train.csv", ann.CLASS_NAMES)[2][0]
    other = ann.data.split_validation(X, y, 0.3, 918, "train.csv", ann.CLASS_NAMES)[2][0]
    assert np.array_equal(again, X_val) and not np.array_equal(other, X_val)
    assert ann.data.split_validation(X, y, None, 917, "train.csv", ann.CLASS_NAMES)[2] is None


def test_the_validation_cost_not_the_test_cost_chooses_the_kept_weights(toy_csvs):
    X, y = ann.data.load_data(toy_csvs[0])
    Xt, yt = ann.data.load_data(toy_csvs[1])
    # a validation set whose labels are shuffled: its cost is lowest early, the test cost late
    validation = (Xt, np.random.RandomState(0).permutation(yt))
    sizes = (X.shape[1], 4, 3)
    history = ann.History(sizes, 1.0, X, y, Xt, yt, report=lambda line: None,
                          validation=validation)
    ann.train(history, ann.initial_weights(*sizes, 917), maxiter=15)
    lowest = lambda costs: len(costs) - 1 - int(np.argmin(costs[::-1]))     # the last minimum
    assert history.chosen_by == "validation" and history.J_chosen is history.J_val
    assert len(history.J_val) == 16
    assert history.best_iteration == lowest(history.J_val) != lowest(history.J_test)
    assert ann.cost_function(history.best_theta, *sizes, *validation, 1.0) == pytest.approx(
        history.J_val[history.best_iteration], rel=1e-12)


def test_a_run_with_validation_reports_all_three_sets_and_says_the_test_set_did_not_choose(
        toy_csvs, tmp_path, capsys):
    result = main_in_process(capsys, "--train", toy_csvs[0], "--test", toy_csvs[1],
                             "--validation", 0.2, "--maxiter", 5, "--no-plot", "--save",
                             tmp_path / "f.png")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("72 training, 18 validation and 30 test images")
    assert re.search(r"^iter=  5:  Jtrain= \S+ acc= .{5}%  \|  Jval= \S+ acc= .{5}%  \|  Jtest= ",
                     result.stdout, re.MULTILINE)
    assert re.search(r"which had the lowest validation cost, \d\.\d{4}\ntrain accuracy "
                     r"\S+%, validation accuracy \S+%, test accuracy \S+% \(the test set did "
                     r"not choose the weights\)", result.stdout)


@pytest.mark.parametrize("fraction, missing, count", [("0.01", "validation", 0),
                                                     ("0.99", "training", 30)])
def test_a_fraction_that_leaves_a_class_without_examples_is_a_one_line_error(
        toy_csvs, tmp_path, capsys, fraction, missing, count):
    # (a fraction outside (0, 1) is refused by the options: tests/test_data.py)
    result = main_in_process(capsys, "--train", toy_csvs[0], "--test", toy_csvs[1],
                             "--validation", fraction, "--no-plot")
    assert result.returncode == 2 and "iter=" not in result.stdout
    assert result.stderr == (f"ann.py: error: {toy_csvs[0]}: --validation {fraction} leaves "
                             f"class Elliptical with no {missing} example ({fraction} of its 30 "
                             f"rounds to {count})\n")


# ---- --mistakes: the test galaxies it gets most wrong -------------------------------------------

def test_the_mistakes_are_the_wrong_examples_costliest_first_each_with_its_part_of_J():
    rng = np.random.RandomState(3)
    z3, y = rng.normal(0, 4, (40, 3)), rng.randint(0, 3, 40)
    h, own = ann.g(z3), np.arange(3) == y[:, None]
    by_hand = np.sum(np.where(own, -np.log(h), -np.log(1 - h)), axis=1)   # each one's part
    assert ann.cost_of_outputs(z3, y, np.zeros((1, 2)), np.zeros((3, 2)), 0.0) == pytest.approx(
        np.mean(by_hand), rel=1e-12)                                     # of J, lambda 0
    wrong = np.flatnonzero(np.argmax(z3, axis=1) != y)
    rows, costs, count = ann.results.worst_mistakes(z3, y, most=18)
    assert count == len(wrong) > 18 and len(rows) == 18
    assert list(rows) == list(wrong[np.argsort(-by_hand[wrong])][:18])
    np.testing.assert_allclose(costs, by_hand[rows], rtol=1e-12)
    assert list(costs) == sorted(costs, reverse=True)


def test_the_mistakes_figure_shows_each_galaxy_and_is_written_whole_or_not_at_all(
        toy_csvs, tmp_path, capsys, monkeypatch):
    path = tmp_path / "mistakes.png"
    run = main_in_process(capsys, "--train", toy_csvs[0], "--test", toy_csvs[1], "--maxiter", 2,
                          "--hidden", 1, "--no-plot", "--save", tmp_path / "f.png",
                          "--mistakes", path)
    assert run.returncode == 0, run.stderr
    assert f"saved the test galaxies it gets most wrong to {path}" in run.stdout
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    table = [[int(c) for c in re.match(r"\s*\S+\s+(\d+)\s+(\d+)\s+(\d+)", line).groups()]
             for line in run.stdout.split("test set:\n")[1].splitlines()[1:4]]
    wrong_in_the_table = sum(table[k][j] for k in range(3) for j in range(3) if j != k)
    shown = []
    real = ann.figure.mistakes_figure

    def half_written(*args):
        fig = real(*args)
        shown.append(([ax.get_title() for ax in fig.axes if ax.images], fig._suptitle.get_text()))

        def savefig(target, **kwargs):          # the disk fills half-way through the file
            with open(target, "wb") as f:
                f.write(b"\x89PNG half")
            raise OSError(28, "No space left on device")
        fig.savefig = savefig
        return fig
    monkeypatch.setattr(ann.figure, "mistakes_figure", half_written)
    old = path.read_bytes()
    run = main_in_process(capsys, "--train", toy_csvs[0], "--test", toy_csvs[1], "--maxiter", 2,
                          "--hidden", 1, "--no-plot", "--save", tmp_path / "f.png",
                          "--mistakes", path)
    assert run.returncode == 2 and run.stderr == (f"ann.py: error: {path}: cannot write it "
                                                  "(No space left on device)\n")
    assert path.read_bytes() == old and not list(tmp_path.glob(".mistakes.png*"))
    titles, heading = shown[0]
    count, wrong = map(int, re.search(r"the (\d+) test galaxies .* \((\d+) wrong in all\)",
                                      heading).groups())
    assert len(titles) == count == min(18, wrong) >= 1 and wrong == wrong_in_the_table
    assert all(t.startswith("true ") and "\nguess " in t for t in titles)


def test_with_every_test_galaxy_right_the_mistakes_figure_says_so_in_full():
    y, pixels = toy_images(2)
    fig = ann.figure.mistakes_figure(pixels / 255.0, y, np.eye(3)[y], np.array([], int),
                                     np.array([]), 0, ann.CLASS_NAMES, "ESI")
    texts = [t.get_text() for t in fig.texts]
    assert texts == ["the kept weights get every test galaxy right"] and not fig.axes
    renderer = fig.canvas.get_renderer()
    box = fig.texts[0].get_window_extent(renderer)           # the whole line fits
    assert 0 <= box.x0 and box.x1 <= fig.bbox.width


def test_the_figure_draws_the_validation_cost_and_marks_its_lowest_point(toy_csvs):
    X, y = ann.data.load_data(toy_csvs[0])
    Xt, yt = ann.data.load_data(toy_csvs[1])
    sizes = (X.shape[1], 4, 3)
    history = ann.History(sizes, 1.0, X[:60], y[:60], Xt, yt, report=lambda line: None,
                          validation=(X[60:], y[60:]))
    ann.train(history, ann.initial_weights(*sizes, 917), maxiter=8)
    live = ann.LiveFigure(X, y, 3, 4, 8, validation=True)
    live.update(history, history.best_theta, ann.predict(*ann.reshape(
        history.best_theta, *sizes), X), step=0)
    assert list(live.validation_line.get_ydata()) == history.J_val
    assert list(live.best_marker.get_ydata()) == [history.J_val[history.best_iteration]]
    labels = [t.get_text() for t in live.cost_ax.get_legend().get_texts()]
    assert labels == ["train", "test", "validation", "lowest validation cost"]
    assert "validation accuracy" in live.title.get_text()


def test_a_sweep_with_validation_says_the_validation_set_chose_the_kept_weights(toy_csvs,
                                                                               tmp_path, capsys):
    run = main_in_process(capsys, "--train", toy_csvs[0], "--test", toy_csvs[1], "--sweep",
                          "--sweep-hidden", "2", "--sweep-lmbda", "1", "--maxiter", 3,
                          "--validation", 0.2, "--save", tmp_path / "sweep.png")
    assert run.returncode == 0, run.stderr
    assert "72 training and 18 validation images, the validation set chooses" in run.stdout
    assert "of the kept weights (lowest validation cost), rows" in run.stdout


@pytest.mark.parametrize("options, message", [
    (["--sweep", "--gif", "{tmp}/a.gif"], "--sweep trains many networks and saves only its heat "
                                          "map: leave out --gif"),
    (["--weights", "w.npz", "--validation", "0.2", "--mistakes", "{tmp}/m.png"],
     "--weights evaluates saved weights without training: leave out --mistakes and "
     "--validation")])
def test_an_option_that_needs_one_training_run_is_refused_with_sweep_or_weights(
        tmp_path, capsys, options, message):
    with pytest.raises(SystemExit) as exit_:
        ann.main([option.format(tmp=tmp_path) for option in options])
    assert exit_.value.code == 2 and capsys.readouterr().err == f"ann.py: error: {message}\n"


@full
@roundoff
@pytest.mark.parametrize("data", ["ours", pytest.param("article's", marks=needs_tutorial_data)])
def test_the_readmes_seed_917_row_is_what_the_runs_print(data, tmp_path):
    """README.md, 'How optimistic is 74 %?': the seed-917 row (--vectorized, one BLAS thread),
    the test set choosing and --validation 0.2 choosing."""
    with open(os.path.join(ROOT, "README.md")) as f:
        row = next(line for line in f if line.startswith("| 917 |")).split("|")[2:6]
    written = dict(zip(["ours", "ours, validation", "article's", "article's, validation"],
                       (cell.strip().rstrip(" %") for cell in row)))
    files = [] if data == "ours" else ["--train", os.path.join(TUTORIAL, "train.csv"),
                                       "--test", os.path.join(TUTORIAL, "test.csv")]
    for more, column in (([], data), (["--validation", "0.2"], f"{data}, validation")):
        result = run_ann(*files, "--vectorized", "--no-plot", "--save", tmp_path / "f.png",
                         *more, env=ONE_THREAD)
        assert result.returncode == 0, result.stderr
        assert re.search(r"test accuracy (\d+\.\d)%", result.stdout).group(1) == \
            written[column], column
