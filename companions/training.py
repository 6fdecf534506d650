"""How a run trains and ends: why it ends, stopping it on request, the fast path, the finish.

The reasons training ends, stopping it on request (the window closed, Ctrl-C), the fast path
(--vectorized), and the finish (the final figure, --mistakes, the files asked for, the window
left open).

The companions never import ann.py (run as a script, it would be loaded a second time): what
here trains or evaluates networks is given ann.py's functions as arguments, by name.
"""
import enum
import signal
import sys
import threading
from contextlib import contextmanager

import numpy as np

from companions import data, results, screens


class Ended(enum.Enum):
    """Why training ended: fmin_cg's own reasons (its warnflag 0-3), or the learner's. The
    values are how a run says it: "training reached --maxiter after 600 iterations"."""
    CONVERGED, MAXITER = "converged", "reached --maxiter"
    NO_PROGRESS = "stopped: the line search made no progress"
    NAN_COST = "stopped: the cost became NaN"
    WINDOW_CLOSED, INTERRUPTED = "window closed", "interrupted (Ctrl-C)"


class StopTraining(Exception):
    """Raised by the training callback to end fmin_cg early; args[0] is an Ended."""


# ==== Stopping on request =========================================================================

def until_stopped(history, screen, live, title, train):
    """Show live's figure on screen (or None), its window titled `title`, and call train()
    until it returns why training ended, an Ended, or the learner stops it. Closing the window
    or a first Ctrl-C sets history.stop_reason, so that training stops after the current
    iteration, the kept weights are still reported and every file is written whole; a second
    Ctrl-C stops at once. Returns the Ended."""
    if screen is not None:
        screen.show(live.fig, live.changing, title, on_close=lambda: setattr(
            history, "stop_reason", Ended.WINDOW_CLOSED), layout=live)
    try:
        with ctrl_c_stops(history):
            return train()
    except KeyboardInterrupt:
        return Ended.INTERRUPTED


@contextmanager
def ctrl_c_stops(history):
    """While inside, the first Ctrl-C sets history.stop_reason to Ended.INTERRUPTED; a second
    raises KeyboardInterrupt. (Only the main thread may handle signals: elsewhere, nothing.)"""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_sigint(signum, frame):
        signal.signal(signal.SIGINT, signal.default_int_handler)
        history.stop_reason = Ended.INTERRUPTED
        print("\nCtrl-C: training stops after the current evaluation, and the kept weights are "
              "reported; a second Ctrl-C stops it now.", flush=True,     # a notebook: no red
              file=sys.stdout if screens.notebook_shell() else sys.stderr)
    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def stopped_before_training(screen, fig):
    """Ctrl-C before the first iteration was recorded: nothing to report. Exit status 130."""
    print("interrupted before training began", file=sys.stderr)
    screens.close(screen, [fig], keep_open=False)
    return 130


# ==== The finish ==================================================================================

def finish(args, screen, ended, live, recorder, kept, X_test, y_test, names, cost_of_outputs,
           test_outputs):
    """After the report of the kept weights: show the final figure, its title saying that
    training is done and why; with --mistakes, the test galaxies the kept weights get most
    wrong (test_outputs(): what feedforward gives for X_test (m, n), y_test (m,); each one's
    cost by ann.py's cost_of_outputs); write the files asked for; then leave the window open
    until the learner closes it, its titles saying how, unless training was stopped or
    --close-when-done. kept: the kept weights' Theta1, Theta2 and iteration; recorder: --gif's,
    or None. Returns the exit status: 2 if a file could not be written, else 130 if Ctrl-C
    ended training, else 0."""
    live.show_done(ended.value)
    if screen is not None:
        screen.draw()                                # the final figure is always shown
    keep_open = not (args.close_when_done or ended in (Ended.INTERRUPTED, Ended.WINDOW_CLOSED))
    mistakes = None
    if args.mistakes:
        mistakes = results.mistakes(screen, keep_open, X_test, y_test, test_outputs(), names,
                                    live.letters, cost_of_outputs)
    settings = {name: vars(args)[name] for name in ("hidden", "lmbda", "seed", "maxiter")}
    written = data.save_outputs(live.fig, args.save, recorder, args.gif, mistakes, args.mistakes,
                                args.save_weights, (*kept, settings))

    def waiting(how):                                # the window left open says how to leave
        live.show_done(ended.value, how)
        return f"training done, kept the weights of iteration {kept[2]}; {how}"
    screens.close(screen, [live.fig, mistakes], keep_open, waiting)
    return 2 if not written else 130 if ended == Ended.INTERRUPTED else 0


def still_falling(history, ended, live=None):
    """When a run that went its whole --maxiter kept weights from its last tenth, the cost that
    chooses was still falling: the run has not reached the overfitting the article describes.
    Says so in one line (and on live's cost plot, if given), with why and what to try; where the
    lowest cost fell depends on the machine (docs/round-off.md). Returns the line, or None."""
    last = history.iteration - 1                      # iterations run
    if ended != Ended.MAXITER or history.best_iteration <= 0.9 * last:
        return None
    longer = 1000 if last < 1000 else 2 * last        # 1000: measured in docs/round-off.md
    line = (f"note: the {history.chosen_by} cost was still falling at the end (lowest at "
            f"iteration {history.best_iteration} of {last}): this run has not reached the "
            f"overfitting the article describes. Where the lowest point falls depends on the "
            f"run's length and, since conjugate gradient follows round-off, on the machine "
            f"(docs/round-off.md); try --maxiter {longer}.")
    print(line)
    if live is not None:
        top = clear_at_the_top_right(live.cost_ax)
        live.cost_ax.text(0.98, 0.97 if top else 0.03, f"{history.chosen_by} cost still falling:"
                          f"\nno overfitting yet;\ntry --maxiter {longer}", ha="right",
                          va="top" if top else "bottom", transform=live.cost_ax.transAxes,
                          fontsize=live.TEXT, color="tab:red")
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


# ==== The fast path (--vectorized) ==============================================================

class FastPath:
    """Beyond the article: cost(theta) and gradient(theta) for fmin_cg, and evaluate(theta) for
    the training callback, from one forward pass per weight vector.

    fmin_cg asks for the cost and the gradient at the same weights, as separate calls, and the
    callback then evaluates the training set at weights the optimizer has just evaluated; each
    would do the forward pass again. FastPath remembers the last weights and their forward pass.
    Its numbers are those of cost_function and gradient_vectorized to the last bit: ann.py's own
    functions, given here by name, compute them on the same inputs."""

    def __init__(self, history, reshape, feedforward, cost_of_outputs, backpropagate):
        self.reshape, self.feedforward = reshape, feedforward
        self.cost_of_outputs, self.backpropagate = cost_of_outputs, backpropagate
        self.a1, self.y = history.a1_train, history.y_train    # (m, n + 1), (m,)
        self.lmbda, self.sizes = history.lmbda, history.sizes
        self.theta = None                                       # the weights last seen

    def forward(self, theta):
        """The forward pass at theta, unless it is the one already done."""
        if self.theta is not None and theta.tobytes() == self.theta.tobytes():
            return                                              # the very same bits
        self.theta = np.array(theta, dtype=float)               # a copy: fmin_cg reuses arrays
        self.Theta1, self.Theta2 = self.reshape(self.theta, *self.sizes)
        self.outputs = self.feedforward(self.Theta1, self.Theta2, self.a1)
        self.J = self.grad = None

    def cost(self, theta):
        self.forward(theta)
        if self.J is None:
            self.J = self.cost_of_outputs(self.outputs[2], self.y, self.Theta1, self.Theta2,
                                          self.lmbda)
        return self.J

    def gradient(self, theta):
        self.forward(theta)
        if self.grad is None:
            self.grad = self.backpropagate(self.Theta1, self.Theta2, self.a1, self.y, self.lmbda,
                                           self.outputs)
        return self.grad.copy()

    def evaluate(self, theta):
        """The training set's cost J and predictions (m,) at theta, as History.evaluate gives."""
        return self.cost(theta), np.argmax(self.outputs[2], axis=1)
