"""Saved weights: --save-weights writes the kept weights to an .npz, and --weights evaluates them
on the test set without training, with the test galaxies' figure.

The weights are read back checked: a file that is not one of ours, or weights that do not make
a network for the test set's images and the training set's classes, is a UserError in one line.
"""
import zipfile

import numpy as np

import ann
from companions import finish, screens
from companions.data import UserError, read_sets, save_figure, write_atomically


def check_options(parser, args):
    """--weights evaluates saved weights without training: what only training makes is refused
    in one line."""
    if args.weights:
        parser.refuse_given(args, ("gif", "mistakes", "save_weights", "validation"),
                            "--weights evaluates saved weights without training")


def run(args):
    """--weights: print the saved weights' test accuracy and confusion table, and save their
    figure (args.save). Returns the exit status."""
    sets = read_sets(args)
    screens.choose_screen(no_plot=True)
    X_test, y_test, num_labels = sets.X_test, sets.y_test, sets.num_labels
    Theta1, Theta2 = load_weights(args.weights, args.test, X_test.shape[1], args.train,
                                  num_labels)
    prediction = ann.predict(Theta1, Theta2, X_test)
    accuracy = 100 * np.mean(prediction == y_test)
    print(f"weights from {args.weights}: network {Theta1.shape[1] - 1} - {Theta1.shape[0]} - "
          f"{Theta2.shape[0]}")
    print(f"test accuracy {accuracy:.1f}% ({len(y_test)} images in {args.test})")
    for line in finish.confusion_table(y_test, prediction, ann.class_names(num_labels)):
        print("  " + line)
    sizes = (Theta1.shape[1] - 1, Theta1.shape[0], num_labels)
    history = ann.History(sizes, 0.0, X_test, y_test, X_test, y_test, report=lambda line: None)
    history(np.concatenate((Theta1.ravel(), Theta2.ravel())))   # one point for the cost plot
    figure = ann.LiveFigure(X_test, y_test, num_labels, sizes[1], 1)
    figure.update(history, history.best_theta, prediction, step=0)
    figure.title.set_text(f"saved weights on the test set: {accuracy:.1f}% right")
    save_figure(figure.fig, args.save)
    print(f"saved the figure to {args.save}")
    return 0


def save_weights(path, Theta1, Theta2, settings):
    """An .npz holding Theta1, Theta2 and the settings (a dict) they were trained with."""
    def write(tmp):
        with open(tmp, "wb") as f:
            np.savez(f, Theta1=Theta1, Theta2=Theta2, **settings)
    write_atomically(path, write)


def load_weights(path, test_path, num_pixels, train_path, num_labels):
    """Theta1 (h, n + 1) and Theta2 (K, h + 1) from an .npz written by --save-weights, checked
    to make a network for the test set's images (num_pixels pixels) and the training set's
    num_labels classes."""
    try:                      # the file opened here: np.load leaves it open when it fails
        with open(path, "rb") as f, np.load(f, allow_pickle=False) as saved:
            Theta1, Theta2 = saved["Theta1"], saved["Theta2"]
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, TypeError,
            AttributeError) as e:           # (the last two: one array, an .npy, not an .npz)
        raise UserError(f"{path}: not a weights file written by --save-weights "
                        f"({type(e).__name__})") from None
    if (Theta1.ndim != 2 or Theta2.ndim != 2 or Theta2.shape[1] != Theta1.shape[0] + 1
            or Theta1.dtype.kind not in "biuf" or Theta2.dtype.kind not in "biuf"
            or not (np.isfinite(Theta1).all() and np.isfinite(Theta2).all())):
        raise UserError(f"{path}: Theta1 {Theta1.shape} and Theta2 {Theta2.shape} do not make "
                        "a network (expected (h, n + 1) and (K, h + 1), finite real numbers)")
    if Theta1.shape[1] != num_pixels + 1:
        raise UserError(f"{path}: the weights take {Theta1.shape[1] - 1} pixels a row, but "
                        f"{test_path} has {num_pixels}")
    if Theta2.shape[0] != num_labels:
        raise UserError(f"{path}: the weights have {Theta2.shape[0]} classes, but "
                        f"{train_path} has {num_labels}")
    return Theta1.astype(float), Theta2.astype(float)

