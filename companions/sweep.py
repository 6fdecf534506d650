"""--sweep: the experiment the article suggests, one network per hidden-layer size and lambda,
and a heat map of their test accuracies (of the kept weights, as always)."""
import time

import numpy as np

from companions.files import save_figure


def run_sweep(args, X_train, y_train, X_test, y_test, num_labels, network):
    """Train one network for each of args.sweep_hidden x args.sweep_lmbda on the fast path;
    print a line per run and a table, and save the heat map to args.save. network: ann.py's
    names (History, train, initial_weights, and the article's settings, marked on the map)."""
    import matplotlib.pyplot as plt
    hidden_sizes, lmbdas, maxiter = args.sweep_hidden, args.sweep_lmbda, args.maxiter
    article = (network.HIDDEN_LAYER_SIZE, network.LMBDA)

    def train_network(hidden, lmbda):
        sizes = (X_train.shape[1], hidden, num_labels)
        history = network.History(sizes, lmbda, X_train, y_train, X_test, y_test,
                                  report=lambda line: None)
        network.train(history, network.initial_weights(*sizes, args.seed), maxiter, True)
        return history

    accuracy = np.full((len(hidden_sizes), len(lmbdas)), np.nan)    # NaN: not trained (yet)
    print(f"sweep: {len(hidden_sizes)} hidden sizes x {len(lmbdas)} lambdas, "
          f"{maxiter} iterations each, vectorized gradient")
    interrupted = False
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
        interrupted = True
        print("sweep interrupted (Ctrl-C): the runs that finished")
    print("test accuracy (%) of the kept weights, rows: hidden units, columns: lambda")
    print("hidden \\ lambda " + "".join(f"{lmbda:>8g}" for lmbda in lmbdas))
    for r, hidden in enumerate(hidden_sizes):
        print(f"{hidden:>15d} " + "".join(f"{100 * a:8.1f}" if a == a else f"{'-':>8}"
                                           for a in accuracy[r]))

    fig, ax = plt.subplots(figsize=(1.6 + 1.3 * len(lmbdas), 1.6 + 0.7 * len(hidden_sizes)),
                           layout="constrained")
    shown = ax.imshow(100 * accuracy, cmap="viridis", aspect="auto")
    middle = 0.0 if np.isnan(accuracy).all() else np.nanmean(accuracy)
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
    ax.set_title(f"test accuracy (%) after up to {maxiter} iterations", fontsize=10)
    fig.colorbar(shown, ax=ax, label="test accuracy (%)")
    save_figure(fig, args.save)
    plt.close(fig)
    print(f"saved the heat map to {args.save}")
    return 130 if interrupted else 0
