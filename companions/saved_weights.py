"""--weights: evaluate weights saved by --save-weights on the test set, without training."""
import numpy as np

from companions import files
from companions.confusion import confusion_table


def run_saved(args, X_test, y_test, num_labels, network):
    """Print the saved weights' test accuracy and confusion table, and save their figure.
    network: ann.py's names (predict, History, LiveFigure, class_names)."""
    Theta1, Theta2 = files.load_weights(args.weights, args.test, X_test.shape[1], args.train,
                                        num_labels)
    prediction = network.predict(Theta1, Theta2, X_test)
    accuracy = 100 * np.mean(prediction == y_test)
    print(f"weights from {args.weights}: network {Theta1.shape[1] - 1} - {Theta1.shape[0]} - "
          f"{Theta2.shape[0]}")
    print(f"test accuracy {accuracy:.1f}% ({len(y_test)} images in {args.test})")
    for line in confusion_table(y_test, prediction, network.class_names(num_labels)):
        print("  " + line)
    sizes = (Theta1.shape[1] - 1, Theta1.shape[0], num_labels)
    history = network.History(sizes, 0.0, X_test, y_test, X_test, y_test,
                              report=lambda line: None)
    history(np.concatenate((Theta1.ravel(), Theta2.ravel())))   # one point for the cost plot
    figure = network.LiveFigure(X_test, y_test, num_labels, sizes[1], 1)
    figure.update(history, history.best_theta, prediction, step=0)
    figure.title.set_text(f"saved weights on the test set: {accuracy:.1f}% right")
    files.save_figure(figure.fig, args.save)
    print(f"saved the figure to {args.save}")
    return 0
