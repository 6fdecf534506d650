"""Beyond the article: the GIF, the hidden units, the gradient check, saved weights, the sweep."""
import re

import numpy as np
import pytest

import ann
from conftest import run_ann, toy_images, write_csv


def train_with_gif(toy_csvs, tmp_path, maxiter):
    """A headless run that writes a GIF; returns the iterations done, stdout and the GIF's path."""
    gif = tmp_path / "training.gif"
    result = run_ann("--train", toy_csvs[0], "--test", toy_csvs[1], "--maxiter", str(maxiter),
                     "--vectorized", "--save", str(tmp_path / "f.png"), "--gif", str(gif))
    assert result.returncode == 0, result.stderr
    iterations = int(re.search(r"after (\d+) iterations", result.stdout).group(1))
    return iterations, result.stdout, gif


def test_gif_has_a_frame_per_iteration_on_short_runs_then_the_kept_weights(toy_csvs, tmp_path):
    from PIL import Image
    iterations, out, gif = train_with_gif(toy_csvs, tmp_path, 6)
    with Image.open(gif) as image:
        assert image.is_animated
        # the initial weights, each iteration, and last the figure of the kept weights
        assert image.n_frames == iterations + 2
        image.seek(image.n_frames - 1)
        last = np.asarray(image.convert("L"))
        image.seek(image.n_frames - 2)
        before = np.asarray(image.convert("L"))
    assert not np.array_equal(last, before)
    assert f"({iterations + 2} frames)" in out


@pytest.mark.parametrize("maxiter, frames", [(360, 122), (250, 127)])
def test_a_run_that_goes_the_whole_way_gives_a_gif_of_about_120_frames(toy_csvs, tmp_path,
                                                                        maxiter, frames):
    # one frame every round(maxiter / 120) iterations from iteration 0 (360: every 3rd, 121
    # frames; 250: every 2nd, 126), then the kept weights' figure
    from PIL import Image
    iterations, out, gif = train_with_gif(toy_csvs, tmp_path, maxiter)
    assert iterations == maxiter            # a run that stops early has fewer frames
    with Image.open(gif) as image:
        assert image.n_frames == frames
    assert f"({frames} frames)" in out


@pytest.mark.parametrize("hidden", [1, 8, 30])
def test_the_figure_shows_one_weight_image_per_hidden_unit(hidden):
    import matplotlib.pyplot as plt
    y, pixels = toy_images(4)
    X = pixels / 255.0
    sizes = (X.shape[1], hidden, 3)
    figure = ann.LiveFigure(X, y, 3, hidden, maxiter=10)
    history = ann.History(sizes, 1.0, X, y, X, y, report=lambda line: None)
    theta = ann.initial_weights(*sizes, seed=3)
    history(theta)
    figure.update(history, theta, ann.predict(*ann.reshape(theta, *sizes), X), step=0)
    assert len(figure.unit_corners) == hidden
    tiled = figure.units_image.get_array()
    Theta1 = ann.reshape(theta, *sizes)[0]
    for (top, left), weights in zip(figure.unit_corners, Theta1):
        tile = tiled[top:top + 8, left:left + 8]
        # each unit's weights, scaled so that its largest is +-1 and 0 stays white
        np.testing.assert_allclose(tile, weights[1:].reshape(8, 8) / np.abs(weights[1:]).max())
        assert np.abs(tile).max() == 1.0
    assert figure.units_image.get_clim() == (-1, 1)
    assert np.isnan(np.ma.getdata(tiled)).sum() == tiled.size - hidden * 64   # blank padding
    # a unit is drawn no larger than a galaxy, and below the galaxies
    unit_pixel = figure.units_ax.get_position().width / tiled.shape[1]
    galaxy_pixel = figure.galaxy_ax.get_position().width / figure.galaxy_image.get_array().shape[1]
    assert unit_pixel <= galaxy_pixel + 1e-12
    assert figure.units_ax.get_position().y1 < figure.galaxy_ax.get_position().y0
    plt.close(figure.fig)


def test_the_figure_shows_each_sample_with_its_prediction_coloured_by_correctness():
    import matplotlib.pyplot as plt
    y, pixels = toy_images(7)
    X = pixels / 255.0
    sizes = (X.shape[1], 2, 3)
    figure = ann.LiveFigure(X, y, 3, 2, maxiter=10)
    history = ann.History(sizes, 1.0, X, y, X, y, report=lambda line: None)
    theta = ann.initial_weights(*sizes, seed=3)
    history(theta)
    prediction = np.zeros_like(y)                   # says "Elliptical" to everything
    figure.update(history, theta, prediction, step=0)
    assert len(figure.texts) == 18
    for j, text in enumerate(figure.texts):
        true_class = (j % 6) // 2                   # two columns per class
        if true_class == 0:
            assert text.get_text() == "E \u2713" and text.get_color() == "tab:blue"
        else:
            assert text.get_text() == "E" and text.get_color() == "tab:red"
    chosen = ann.figure.sample_indices(y, 3, 6, step=0)
    top, left = figure.corners[7]                   # row 1, column 1: class 0, sample 3
    np.testing.assert_array_equal(figure.galaxy_image.get_array()[top:top + 8, left:left + 8],
                                  X[chosen[0, 3]].reshape(8, 8))
    plt.close(figure.fig)


def test_check_gradients_passes_on_the_real_gradients():
    result = run_ann("--check-gradients")
    assert result.returncode == 0, result.stderr
    differences = [float(v) for v in re.findall(r"relative difference (\S+)", result.stdout)]
    assert len(differences) == 2 and max(differences) < 1e-9
    assert "gradient_vectorized" in result.stdout and "FAILED" not in result.stdout


def test_check_gradients_fails_on_a_broken_gradient(monkeypatch, capsys):
    real = ann.gradient

    def forgets_regularization(theta, *args):
        return real(theta, *args[:-1], 0.0)
    monkeypatch.setattr(ann, "gradient", forgets_regularization)
    assert ann.main(["--check-gradients"]) == 1
    out = capsys.readouterr().out
    assert out.count("OK") == 1 and out.count("FAILED") == 1     # only the broken one fails


def test_saved_weights_give_the_same_predictions_when_loaded(toy_csvs, tmp_path):
    weights = tmp_path / "w.npz"
    trained = run_ann("--train", toy_csvs[0], "--test", toy_csvs[1], "--maxiter", "10",
                      "--save", str(tmp_path / "f.png"), "--save-weights", str(weights))
    assert trained.returncode == 0, trained.stderr
    accuracy = re.search(r"test accuracy (\d+\.\d)%", trained.stdout).group(1)
    with np.load(weights) as saved:
        Theta1, Theta2 = saved["Theta1"], saved["Theta2"]
        assert int(saved["hidden"]) == 8 and float(saved["lmbda"]) == 1.0
        assert int(saved["seed"]) == 917
    X, y = ann.data.load_data(toy_csvs[1])
    prediction = ann.predict(Theta1, Theta2, X)
    assert f"{100 * np.mean(prediction == y):.1f}" == accuracy

    loaded = run_ann("--train", toy_csvs[0], "--test", toy_csvs[1], "--weights", str(weights),
                     "--save", str(tmp_path / "g.png"))
    assert loaded.returncode == 0, loaded.stderr
    assert f"test accuracy {accuracy}%" in loaded.stdout
    assert "iter=" not in loaded.stdout                       # no training
    assert (tmp_path / "g.png").read_bytes()[:4] == b"\x89PNG"


def test_saved_weights_work_on_a_test_set_that_lacks_a_class(toy_csvs, tmp_path):
    weights = tmp_path / "w.npz"
    run_ann("--train", toy_csvs[0], "--test", toy_csvs[1], "--maxiter", "2",
            "--save", str(tmp_path / "f.png"), "--save-weights", str(weights))
    y, pixels = toy_images(4, seed=5)
    no_irregulars = write_csv(tmp_path / "two.csv", y[y < 2], pixels[y < 2])
    result = run_ann("--train", toy_csvs[0], "--test", no_irregulars, "--weights", str(weights),
                     "--save", str(tmp_path / "g.png"))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "Warning" not in result.stderr
    assert re.search(r"Irregular +0 +0 +0 +- \(no example\)", result.stdout)
    assert (tmp_path / "g.png").read_bytes()[:4] == b"\x89PNG"


def test_weights_that_do_not_fit_the_data_get_a_clear_error(toy_csvs, tmp_path):
    weights = tmp_path / "w.npz"
    run_ann("--train", toy_csvs[0], "--test", toy_csvs[1], "--maxiter", "2",
            "--save", str(tmp_path / "f.png"), "--save-weights", str(weights))
    big = write_csv(tmp_path / "big.csv", *toy_images(3, side=16))
    result = run_ann("--train", big, "--test", big, "--weights", str(weights),
                     "--save", str(tmp_path / "g.png"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "w.npz" in result.stderr and "64 pixels" in result.stderr and "256" in result.stderr


def test_sweep_prints_a_line_per_run_a_table_of_the_same_figures_and_saves_the_heat_map(
        toy_csvs, tmp_path):
    heat_map = tmp_path / "sweep.png"
    result = run_ann("--train", toy_csvs[0], "--test", toy_csvs[1], "--sweep",
                     "--sweep-hidden", "2,4", "--sweep-lmbda", "0.1,1", "--maxiter", "5",
                     "--save", str(heat_map))
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


def test_data_with_four_classes_train_and_are_shown_by_class_number(tmp_path):
    y, pixels = toy_images(10, seed=3)
    y4 = np.concatenate((y, np.full(10, 3)))
    pixels4 = np.concatenate((pixels, 255 - pixels[:10]))        # a fourth kind of image
    train = write_csv(tmp_path / "train.csv", y4, pixels4)
    result = run_ann("--train", train, "--test", train, "--maxiter", "5", "--vectorized",
                     "--save", str(tmp_path / "f.png"))
    assert result.returncode == 0, result.stderr
    assert "4 classes; network 64 - 8 - 4" in result.stdout
    header = next(line for line in result.stdout.splitlines() if "true \\ predicted" in line)
    assert header.split()[3:] == ["0", "1", "2", "3"]
    figure = ann.LiveFigure(pixels4 / 255.0, y4, 4, 8, maxiter=5)
    titles = [t.get_text() for t in figure.galaxy_ax.texts if t.get_text().startswith("true")]
    assert titles == ["true: class 0", "true: class 1", "true: class 2", "true: class 3"]
    assert figure.letters == ["0", "1", "2", "3"]


def saved_weights(toy_csvs, tmp_path):
    weights = tmp_path / "w.npz"
    result = run_ann("--train", toy_csvs[0], "--test", toy_csvs[1], "--maxiter", "2",
                     "--save", str(tmp_path / "f.png"), "--save-weights", str(weights))
    assert result.returncode == 0, result.stderr
    return weights


def test_weights_for_another_number_of_classes_get_a_clear_error(toy_csvs, tmp_path):
    weights = saved_weights(toy_csvs, tmp_path)
    y, pixels = toy_images(4, seed=5)
    two_classes = write_csv(tmp_path / "two.csv", y[y < 2], pixels[y < 2])
    result = run_ann("--train", two_classes, "--test", two_classes, "--weights", str(weights),
                     "--save", str(tmp_path / "g.png"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip() == (f"ann.py: error: {weights}: the weights have 3 classes, "
                                     f"but {two_classes} has 2")


@pytest.mark.parametrize("damage", ["not a zip", "cut short", "no Theta2", "NaN weights",
                                    "text weights", "complex weights"])
def test_a_corrupt_weights_file_gets_a_one_line_error(toy_csvs, tmp_path, damage):
    weights = saved_weights(toy_csvs, tmp_path)
    data = weights.read_bytes()
    if damage == "not a zip":
        weights.write_bytes(b"these are not weights")
    elif damage == "cut short":
        weights.write_bytes(data[:len(data) // 2])
    else:
        with np.load(weights) as saved:
            Theta1, Theta2 = saved["Theta1"], saved["Theta2"]
        if damage == "no Theta2":
            np.savez(weights, Theta1=Theta1)
        elif damage == "NaN weights":
            np.savez(weights, Theta1=Theta1 * np.nan, Theta2=Theta2)
        elif damage == "text weights":
            np.savez(weights, Theta1=Theta1.astype(str), Theta2=Theta2)
        else:
            np.savez(weights, Theta1=Theta1 + 1j, Theta2=Theta2)
    result = run_ann("--train", toy_csvs[0], "--test", toy_csvs[1], "--weights", str(weights),
                     "--save", str(tmp_path / "g.png"))
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"ann.py: error: {weights}: "), lines
    assert "iter=" not in result.stdout and not (tmp_path / "g.png").exists()
