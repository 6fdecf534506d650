"""Beyond the article: weights saved and evaluated without training (--weights), and the sweep
(--sweep). Each test's name says what must hold."""
import re

import numpy as np
import pytest

import ann
from conftest import main_in_process, toy_images, write_csv


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
