"""How a run trains: what it trains (a Network), why training ends, stopping it on request (the
window closed, Ctrl-C), and the fast path (--vectorized)."""
import enum
import signal
import sys
import threading
from contextlib import contextmanager

import numpy as np

import ann
from companions import screens


class Ended(enum.Enum):
    """Why training ended: fmin_cg's own reasons (its warnflag 0-3), or the learner's. The
    values are how a run says it: "training reached --maxiter after 600 iterations"."""
    CONVERGED, MAXITER = "converged", "reached --maxiter"
    NO_PROGRESS = "stopped: the line search made no progress"
    NAN_COST = "stopped: the cost became NaN"
    WINDOW_CLOSED, INTERRUPTED = "window closed", "interrupted (Ctrl-C)"


class StopTraining(Exception):
    """Raised by the training callback to end fmin_cg early; args[0] is an Ended."""


class Network:
    """What a run trains: a cost and its gradient for fmin_cg, the predict that judges the kept
    weights, the window's title, and what the run's first line calls its gradient (whose).
    ann.py's own functions by default; the exercise gives a learner's, --break ann.py's with a
    mistake made in them. The two hooks let a mode act at its moments: before_training(live,
    history), once the figure and the history are made; reported(history, accuracy), after the
    kept weights are reported (accuracy: by set)."""

    def __init__(self, cost_function, gradient, predict, title, whose):
        self.cost_function, self.gradient, self.predict = cost_function, gradient, predict
        self.title, self.whose = title, whose

    def before_training(self, live, history):
        pass

    def reported(self, history, accuracy):
        pass



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


# ==== The fast path (--vectorized) ==============================================================

class FastPath:
    """Beyond the article: cost(theta) and gradient(theta) for fmin_cg, and evaluate(theta) for
    the training callback, from one forward pass per weight vector.

    fmin_cg asks for the cost and the gradient at the same weights, as separate calls, and the
    callback then evaluates the training set at weights the optimizer has just evaluated; each
    would do the forward pass again. FastPath remembers the last weights and their forward pass.
    Its numbers are those of cost_function and gradient_vectorized to the last bit: ann.py's own
    functions compute them on the same inputs."""

    def __init__(self, history):
        self.a1, self.y = history.a1_train, history.y_train    # (m, n + 1), (m,)
        self.lmbda, self.sizes = history.lmbda, history.sizes
        self.theta = None                                       # the weights last seen

    def forward(self, theta):
        """The forward pass at theta, unless it is the one already done."""
        if self.theta is not None and theta.tobytes() == self.theta.tobytes():
            return                                              # the very same bits
        self.theta = np.array(theta, dtype=float)               # a copy: fmin_cg reuses arrays
        self.Theta1, self.Theta2 = ann.reshape(self.theta, *self.sizes)
        self.outputs = ann.feedforward(self.Theta1, self.Theta2, self.a1)
        self.J = self.grad = None

    def cost(self, theta):
        self.forward(theta)
        if self.J is None:
            self.J = ann.cost_of_outputs(self.outputs[2], self.y, self.Theta1, self.Theta2,
                                          self.lmbda)
        return self.J

    def gradient(self, theta):
        self.forward(theta)
        if self.grad is None:
            self.grad = ann.backpropagate(self.Theta1, self.Theta2, self.a1, self.y, self.lmbda,
                                           self.outputs)
        return self.grad.copy()

    def evaluate(self, theta):
        """The training set's cost J and predictions (m,) at theta, as History.evaluate gives."""
        return self.cost(theta), np.argmax(self.outputs[2], axis=1)
