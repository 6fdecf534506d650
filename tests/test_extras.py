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


def test_gif_frame_count_stays_near_120_for_long_runs(toy_csvs, tmp_path):
    from PIL import Image
    iterations, _, gif = train_with_gif(toy_csvs, tmp_path, 360)
    every = 3                                       # round(360 / 120)
    expected = iterations // every + 1 + 1          # every third iteration from 0, then the end
    with Image.open(gif) as image:
        assert image.n_frames == expected
    if iterations == 360:
        assert expected == 122


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
    chosen = ann.figure_layout.sample_indices(y, 3, 6, step=0)
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
    X, y = ann.csv_data.load_data(toy_csvs[1])
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


def test_sweep_writes_its_heat_map_and_table(toy_csvs, tmp_path):
    heat_map = tmp_path / "sweep.png"
    result = run_ann("--train", toy_csvs[0], "--test", toy_csvs[1], "--sweep",
                     "--sweep-hidden", "2,4", "--sweep-lmbda", "0.1,1", "--maxiter", "5",
                     "--save", str(heat_map))
    assert result.returncode == 0, result.stderr
    assert len(re.findall(r"hidden +\d+, lambda +\S+: test accuracy +\d+\.\d% \(kept, "
                          r"iteration \d+; final \d+\.\d%\)", result.stdout)) == 4
    table = re.findall(r"^ +(\d+) +(\d+\.\d) +(\d+\.\d)$", result.stdout, re.MULTILINE)
    assert [row[0] for row in table] == ["2", "4"]
    assert all(0 <= float(v) <= 100 for row in table for v in row[1:])
    assert heat_map.read_bytes()[:4] == b"\x89PNG"
