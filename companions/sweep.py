"""The sweep: one network per hidden size and lambda (--sweep), trained on the fast path as
ann.py trains its own, their test accuracies printed as a table and saved as a heat map."""
import time

import numpy as np

import ann
from companions import screens
from companions.data import read_sets, save_figure


def check_options(parser, args):
    """--sweep trains many networks and saves only its heat map: the files of a single run are
    refused in one line. Its runs are 300 iterations each unless --maxiter says otherwise."""
    if args.sweep:
        parser.refuse_given(args, ("gif", "mistakes", "save_weights", "weights"),
                            "--sweep trains many networks and saves only its heat map")


def run(args):
    """Train one network for each of args.sweep_hidden x args.sweep_lmbda on the fast path, as
    ann.py's History, train and initial_weights do (the weights kept by the validation set's
    cost, with --validation); print a line per run and a table, and save the heat map to
    args.save, the article's (hidden size, lambda) marked on it. Returns the exit status."""
    import matplotlib.pyplot as plt
    X_train, y_train, X_test, y_test, num_labels, validation = read_sets(args)
    screens.choose_screen(no_plot=True)
    hidden_sizes, lmbdas, maxiter = args.sweep_hidden, args.sweep_lmbda, args.maxiter

    def train_network(hidden, lmbda):
        sizes = (X_train.shape[1], hidden, num_labels)
        history = ann.History(sizes, lmbda, X_train, y_train, X_test, y_test,
                              report=lambda line: None, validation=validation)
        ann.train(history, ann.initial_weights(*sizes, args.seed), maxiter, vectorized=True)
        return history

    print(f"sweep: {len(hidden_sizes)} hidden sizes x {len(lmbdas)} lambdas, "
          f"{maxiter} iterations each, vectorized gradient"
          + (f"; {len(y_train)} training and {len(validation[1])} validation images, the "
             "validation set chooses the kept weights" if validation else ""))
    accuracy, interrupted = sweep_accuracies(hidden_sizes, lmbdas, train_network)
    print_sweep_table(accuracy, hidden_sizes, lmbdas, validation)
    fig = sweep_heat_map(accuracy, hidden_sizes, lmbdas, maxiter, validation)
    save_figure(fig, args.save)
    plt.close(fig)
    print(f"saved the heat map to {args.save}")
    return 130 if interrupted else 0


def sweep_accuracies(hidden_sizes, lmbdas, train_network):
    """The kept weights' test accuracy (hidden sizes x lambdas; NaN: not trained) of a network
    trained by train_network(hidden, lmbda) for each, a line printed per run, and whether Ctrl-C
    stopped the sweep (the runs that finished are kept)."""
    accuracy = np.full((len(hidden_sizes), len(lmbdas)), np.nan)    # NaN: not trained (yet)
    try:
        for r, hidden in enumerate(hidden_sizes):
            for c, lmbda in enumerate(lmbdas):
                start = time.perf_counter()
                history = train_network(hidden, lmbda)
                accuracy[r, c] = history.acc_test[history.best_iteration]
                print(f"  hidden {hidden:3d}, lambda {lmbda:6g}: test accuracy "
                      f"{100 * accuracy[r, c]:5.1f}% (kept, iteration "
                      f"{history.best_iteration}; final {100 * history.acc_test[-1]:.1f}%), "
                      f"{time.perf_counter() - start:.1f} s")
    except KeyboardInterrupt:      # Ctrl-C: the table and the map of the runs that finished
        print("sweep interrupted (Ctrl-C): the runs that finished")
        return accuracy, True
    return accuracy, False


def print_sweep_table(accuracy, hidden_sizes, lmbdas, validation):
    """The sweep's test accuracies (%) as a table: rows hidden sizes, columns lambdas."""
    chosen = " (lowest validation cost)" if validation else ""
    print(f"test accuracy (%) of the kept weights{chosen}, rows: hidden units, columns: lambda")
    print("hidden \\ lambda " + "".join(f"{lmbda:>8g}" for lmbda in lmbdas))
    for r, hidden in enumerate(hidden_sizes):
        print(f"{hidden:>15d} " + "".join(f"{100 * a:8.1f}" if a == a else f"{'-':>8}"
                                           for a in accuracy[r]))


def sweep_heat_map(accuracy, hidden_sizes, lmbdas, maxiter, validation):
    """The sweep's test accuracies as a heat map, each cell labelled, the article's (hidden
    size, lambda) marked. Returns the figure."""
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(1.6 + 1.3 * len(lmbdas), 1.6 + 0.7 * len(hidden_sizes)),
                           layout="constrained")
    shown = ax.imshow(100 * accuracy, cmap="viridis", aspect="auto")
    middle = 0.0 if np.isnan(accuracy).all() else np.nanmean(accuracy)
    article = (ann.HIDDEN_LAYER_SIZE, ann.LMBDA)
    for r in range(len(hidden_sizes)):
        for c in range(len(lmbdas)):
            marked = (hidden_sizes[r], lmbdas[c]) == article
            ax.text(c, r, (f"{100 * accuracy[r, c]:.1f}" if accuracy[r, c] == accuracy[r, c]
                           else "-") + ("\n(article)" if marked else ""),
                    ha="center", va="center", fontsize=9,
                    color="black" if accuracy[r, c] > middle else "white")
    ax.set_xticks(range(len(lmbdas)), [f"{v:g}" for v in lmbdas])
    ax.set_yticks(range(len(hidden_sizes)), [str(h) for h in hidden_sizes])
    ax.set_xlabel("lambda")
    ax.set_ylabel("hidden units")
    ax.set_title(f"test accuracy (%) after up to {maxiter} iterations"
                 + (", chosen on a validation set" if validation else ""), fontsize=10)
    fig.colorbar(shown, ax=ax, label="test accuracy (%)")
    return fig
