"""The end of a run: the confusion table, the still-falling note, --mistakes, the files asked
for, and the window left open until the learner closes it.

Everything here happens after training, to the kept weights, with ann.py's own functions
(reshape, feedforward, cost_of_outputs), reached through the module.
"""
import math
import sys

import numpy as np

import ann
from companions import screens
from companions.data import UserError, save_figure
from companions.training import Ended


# ==== What the kept weights get right =============================================================

def confusion_table(y, prediction, names):
    """Rows: true class; columns: predicted class; as lines of text. names: one per class."""
    num_labels = len(names)
    width = max(len(n) for n in names) + 2
    first = max(width + 6, len("true \\ predicted") + 2)       # the first column's width
    counts = np.zeros((num_labels, num_labels), dtype=int)
    np.add.at(counts, (y, prediction), 1)
    lines = ["true \\ predicted".ljust(first) + "".join(n.rjust(width) for n in names)]
    for k in range(num_labels):
        right = (f"{100 * counts[k, k] / counts[k].sum():5.1f}% right" if counts[k].sum()
                 else "    - (no example)")
        lines.append(names[k].ljust(first) + "".join(f"{c:{width}d}" for c in counts[k])
                     + "   " + right)
    return lines


# ==== The finish ==================================================================================


def finish(args, screen, live, ended, recorder, history, sets):
    """After the report of the kept weights (history.best_theta): show the final figure, its
    title saying that training is done and why (ended); with --mistakes, the test galaxies
    the kept weights get most wrong; write the files asked for; then leave the window open
    until the learner closes it, its titles saying how, unless training was stopped or
    --close-when-done. recorder: --gif's, or None; sets: the run's data.Sets. Returns the exit
    status: 2 if a file could not be written, else 130 if Ctrl-C ended training, else 0."""
    live.show_done(ended.value)
    if screen is not None:
        screen.draw()                                # the final figure is always shown
    keep_open = not (args.close_when_done or ended in (Ended.INTERRUPTED, Ended.WINDOW_CLOSED))
    Theta1, Theta2 = ann.reshape(history.best_theta, *history.sizes)
    mistakes = None
    if args.mistakes:
        mistakes = mistakes_shown(screen, keep_open, (Theta1, Theta2), sets, live.letters)
    written = save_outputs(args, live.fig, recorder, mistakes,
                           (Theta1, Theta2, history.best_iteration))

    def waiting(how):                                # the window left open says how to leave
        live.show_done(ended.value, how)
        return f"training done, kept the weights of iteration {history.best_iteration}; {how}"
    screens.close(screen, [live.fig, mistakes], keep_open, waiting)
    return 2 if not written else 130 if ended == Ended.INTERRUPTED else 0


def save_outputs(args, fig, recorder, mistakes, kept):
    """At the end of a run, the files asked for, each said in one line: the figure fig at
    args.save, the GIF (recorder, or None) at args.gif, the mistakes figure (or None) at
    args.mistakes, and with --save-weights the kept weights (kept: Theta1, Theta2 and the
    iteration they come from) with the settings they were trained with. A file that cannot be
    written does not stop the others: the first that failed is said in one line on stderr, as
    ann.py says a UserError, and the result is False. True if every file was written."""
    from companions import weights
    failed = []

    def attempt(write, saying):
        try:
            write()
        except UserError as e:
            failed.append(str(e))
        else:
            print(saying())
    attempt(lambda: save_figure(fig, args.save), lambda: f"saved the figure to {args.save}")
    if recorder is not None:
        attempt(recorder.finish,
                lambda: f"saved the animation to {args.gif} ({recorder.frames} frames)")
    if args.save_weights:
        Theta1, Theta2, iteration = kept
        settings = {name: vars(args)[name] for name in ("hidden", "lmbda", "seed", "maxiter")}
        attempt(lambda: weights.save_weights(args.save_weights, Theta1, Theta2, dict(
            settings, iteration=iteration)), lambda: f"saved the weights to {args.save_weights}")
    if mistakes is not None:
        attempt(lambda: save_figure(mistakes, args.mistakes),
                lambda: f"saved the test galaxies it gets most wrong to {args.mistakes}")
    if failed:
        print(f"ann.py: error: {failed[0]}", file=sys.stderr)
    return not failed


# ==== --mistakes: the test galaxies the network gets most wrong ==================================

def worst_mistakes(z3, y, most=18):
    """The examples the network gets wrong, its costliest first, at most `most`: their rows
    and costs, and how many it gets wrong in all. z3 (m, K): the output layer before the
    sigmoid; y (m,) the labels. An example's cost is its part of J, the sum over its K outputs
    that J averages over the examples, the regularization left out: ann.py's cost_of_outputs
    for a set of that one example, with lambda 0 and no weights to penalize."""
    wrong = np.flatnonzero(np.argmax(z3, axis=1) != y)
    no_weights = np.zeros((0, 1))
    cost = np.array([ann.cost_of_outputs(z3[[i]], y[[i]], no_weights, no_weights, 0.0)
                     for i in wrong])
    order = np.argsort(-cost, kind="stable")[:most]
    return wrong[order], cost[order], len(wrong)


def mistakes_shown(screen, keep_open, kept, sets, letters):
    """The figure of the test galaxies the kept weights (Theta1, Theta2) get most wrong, shown
    where the run shows its figure (screen, or None): in a window of its own if the run keeps
    its window open (keep_open), else only saved. letters: what the training figure labels the
    classes with. Returns the figure, which the run saves."""
    X, y = sets.X_test, sets.y_test
    z3, a3 = ann.feedforward(*kept, ann.add_bias(X))[2:]
    fig = mistakes_figure(X, y, a3, worst_mistakes(z3, y), ann.class_names(sets.num_labels),
                          letters)
    if screen is not None:
        screen.show_also(fig, "ann.py: the galaxies it gets most wrong", keep_open)
    return fig


def mistakes_figure(X, y, outputs, worst, names, letters):
    """--mistakes: the test galaxies worst_mistakes chose (worst: their rows, worst first, their
    costs, and how many are wrong in all), each with its true and predicted class, the
    network's outputs (a3, one per class) and its cost; X (m, n) pixels, y (m,) labels, outputs
    (m, K). names: the classes'; letters: what labels each output (LiveFigure's). The grid's
    size follows the number of galaxies, at most 6 a row."""
    import matplotlib.pyplot as plt
    rows, costs, wrong = worst
    side, columns = math.isqrt(X.shape[1]), max(1, min(6, len(rows)))
    grid_rows = max(1, math.ceil(len(rows) / columns))
    with plt.ioff():              # (shown, if at all, where the run shows its figure)
        if not len(rows):
            fig = plt.figure(figsize=(7.0, 1.0))
            fig.text(0.5, 0.5, "the kept weights get every test galaxy right", ha="center",
                     va="center", fontsize=11)
            return fig
        fig, axes = plt.subplots(grid_rows, columns, squeeze=False, figsize=(
            max(7.0, 1.6 * columns + 0.4), 2.2 * grid_rows + 0.8))   # wide enough for the title
    for ax in axes.ravel():
        ax.set_axis_off()
    for ax, i, cost in zip(axes.ravel(), rows, costs):
        ax.imshow(X[i].reshape(side, side), cmap="gray", vmin=0, vmax=1)
        ax.set_title(f"true {names[y[i]]}\nguess {names[np.argmax(outputs[i])]}", fontsize=8,
                     color="tab:red")
        ax.text(0.5, -0.04, "  ".join(f"{letters[k]} {outputs[i, k]:.2f}" for k in
                                      range(len(names))) + f"\ncost {cost:.2f}",
                transform=ax.transAxes, ha="center", va="top", fontsize=7)
    fig.suptitle(f"the {len(rows)} test galaxies the kept weights get most wrong, highest cost "
                 f"first ({wrong} wrong in all)\nunder each: the network's outputs, one per "
                 "class, and the galaxy's cost", fontsize=10)
    fig.tight_layout()
    return fig


# ==== The still-falling note ===================================================================

def still_falling(history, ended, live=None):
    """When a run that went its whole --maxiter kept weights from its last tenth, the cost that
    chooses was still falling: the run has not reached the overfitting the article describes.
    Says so in one line (and on live's cost plot, if given), with why and a longer run to try:
    the article's 600 iterations for a shorter run, 1000 for one of 600 (docs/round-off.md
    measured them), twice its length for one of 1000 or more; where the lowest cost fell
    depends on the machine. Returns the line, or None."""
    last = history.iteration - 1                      # iterations run
    if ended != Ended.MAXITER or history.best_iteration <= 0.9 * last:
        return None
    longer = ann.MAXITER if last < ann.MAXITER else 1000 if last < 1000 else 2 * last
    why = (f"this run of {last} is shorter than the article's {ann.MAXITER}, and has not reached "
           f"the overfitting the article describes; try --maxiter {longer}, the article's run."
           if longer == ann.MAXITER else
           f"this run has not reached the overfitting the article describes. Where the lowest "
           f"point falls depends on the run's length and, since conjugate gradient follows "
           f"round-off, on the machine (docs/round-off.md); try --maxiter {longer}.")
    line = (f"note: the {history.chosen_by} cost was still falling at the end (lowest at "
            f"iteration {history.best_iteration} of {last}): {why}")
    print(line)
    if live is not None:
        top = clear_at_the_top_right(live.cost_ax)
        live.cost_ax.text(0.98, 0.97 if top else 0.03, f"{history.chosen_by} cost still falling:"
                          f"\nno overfitting yet;\ntry --maxiter {longer}" + (
                              ",\nthe article's run" if longer == ann.MAXITER else ""),
                          ha="right", va="top" if top else "bottom",
                          transform=live.cost_ax.transAxes, fontsize=live.TEXT, color="tab:red")
    return line


def clear_at_the_top_right(ax, width=0.45, height=0.3):
    """Whether no curve of ax passes through its top right corner (width and height: fractions
    of the axes). A cost still falling at the end leaves it empty, unless the run was short and
    the costs are still near their start; then the bottom right is."""
    (left, right), (bottom, top) = ax.get_xlim(), ax.get_ylim()
    for line in ax.get_lines():
        x, y = (np.asarray(v, dtype=float) for v in line.get_data())
        if np.any((x >= right - width * (right - left)) & (y >= top - height * (top - bottom))):
            return False
    return True
