"""--break: ann.py's network trained with one classic mistake made in it, ann.py's own run faint
behind, and at the end what happened, why, and the line of ann.py to compare.

`python ann.py --break NAME` makes the mistake NAME of companions/catalogue.py in ann.py's
function of its name, for each call of the cost, the gradient and predict, and runs ann.py's
run() with them; --break alone lists the mistakes, --break random hides which until the end.
"""
import difflib
import inspect
import random
import sys

import numpy as np

import ann
from companions import catalogue, training
from companions.catalogue import CATALOGUE, TRAINABLE


def check_options(parser, args, learner):
    """--break: alone, the list of mistakes (then exit); an unknown name, or options that would
    train another network, refused in one line. learner: the exercise's file, if it runs."""
    if args.break_mistake == "":
        print(listing())
        parser.exit(0)
    name, close = known(args.break_mistake)
    args.break_mistake = name or args.break_mistake     # its own spelling, in any case given
    if args.break_mistake in CATALOGUE and name is None:
        parser.refuse(f"--break: {args.break_mistake} is a mistake of predict, which training "
                      "does not call: the exercise names it; python ann.py --break lists those "
                      "that train")
    if name is None:
        parser.refuse(f"--break: no mistake is called {args.break_mistake!r}"
                      + (f" (did you mean {close}?)" if close else "")
                      + "; python ann.py --break lists them")
    clashing = [f"--{option.replace('_', '-')}" for option in (
        "vectorized", "sweep", "weights", "check_gradients", "exercise", "validation")
        if getattr(args, option)]
    if learner:
        parser.refuse(f"--break trains ann.py's network with a mistake made in it: python "
                      f"ann.py --break {name}, not python {parser.prog}")
    if clashing:
        parser.refuse(f"--break trains ann.py's network with a mistake made in it: leave out "
                      f"{' and '.join(clashing)}")


def listing():
    """--break alone: the mistakes, a line each."""
    width = max(map(len, TRAINABLE))
    lines = [f"  {name:{width}s}  {CATALOGUE[name].function}: {CATALOGUE[name].title}"
             for name in TRAINABLE]
    return ("python ann.py --break NAME trains ann.py's network with one classic mistake made "
            "in it,\nann.py's own run faint behind; --break random hides which until the end.\n"
            + "\n".join(lines))


def known(text):
    """--break's value checked: a catalogued mistake or random; None if unknown, with the
    closest name for a did-you-mean."""
    names = {name.lower(): name for name in TRAINABLE + ("random",)}
    if text.lower() in names:
        return names[text.lower()], None
    close = difflib.get_close_matches(text, TRAINABLE + ("random",), n=1, cutoff=0.4)
    return None, close[0] if close else None


def run(args):
    """--break NAME: ann.py's run, of ann.py's network with the mistake made in it."""
    return ann.run(args, Broken(args))


def line_in(made):
    """The function of ann.py to compare, and the line in it that holds made.compare."""
    order = [made.function, "cost_of_outputs", "feedforward", "regularized_gradient", "one_hot"]
    for name in order:
        lines, first = inspect.getsourcelines(getattr(ann, name))
        for number, line in enumerate(lines, first):
            if line.strip().startswith(made.compare):
                return name, number, line.split("#")[0].strip()
    raise LookupError(f"{made.compare!r} is not in ann.py's {made.function}")


class Broken(training.Network):
    """--break NAME: the network of ann.py with one mistake made in it, as run() trains a
    learner's; before training, ann.py's own run, drawn faint behind; once the kept weights are
    reported, one line saying what happened, why, and where to look in ann.py."""

    def __init__(self, args):
        self.name = args.break_mistake
        self.hidden = self.name == "random"
        if self.hidden:
            self.name = random.choice(TRAINABLE)
        self.made, self.args, self.ask = CATALOGUE[self.name], args, asking()
        gradient = "gradient" if self.made.function == "gradient" else "gradient_vectorized"
        title = "ann.py --break: " + ("a hidden mistake" if self.hidden else self.made.title)
        whose = ("a hidden mistake; a vectorized" if self.hidden else
                 f"{self.made.title}, in a vectorized" if self.made.function == "gradient"
                 else f"{self.made.title} in {self.made.function}; ann.py's vectorized")
        super().__init__(self.with_mistake("cost_function"), self.with_mistake(gradient),
                         self.with_mistake("predict"), title, whose)

    def with_mistake(self, function):
        """ann.py's `function`, called with the mistake made, and without numpy's warnings: a
        broken network's overflow is what it shows."""
        def call(*args):
            with catalogue.made(self.name), catalogue.quiet():
                return getattr(ann, function)(*args)
        return call

    def before_training(self, live, history):
        """Train ann.py's own network first (the fast path, quietly), and draw its costs faint
        on live's cost plot."""
        print(f"first ann.py's own run, to draw faintly behind: {self.args.maxiter} iterations "
              "on the fast path ...", flush=True)
        X_test = history.a1_test[:, 1:]
        self.right = ann.History(history.sizes, history.lmbda, history.X_train, history.y_train,
                                 X_test, history.y_test, report=lambda line: None)
        ann.train(self.right, ann.initial_weights(*history.sizes, self.args.seed),
                  self.args.maxiter, True)
        draw_behind(live.cost_ax, self.right.J_train, self.right.J_test)

    def reported(self, history, accuracy):
        print(self.closing(history, accuracy))

    def closing(self, history, accuracy):
        """The one line at the end: what happened, why, and the line of ann.py to compare."""
        right = self.right
        function, number, text = line_in(self.made)
        J, iterations = np.asarray(history.J_test, dtype=float), history.iteration - 1
        if not np.isfinite(J).all() or not np.isfinite(history.J_train).all():
            happened = f"its cost became NaN after {count(iterations)}"
        elif iterations < self.args.maxiter and history.stop_reason is None:
            happened = (f"fmin_cg stopped after {count(iterations)}, its line search finding no "
                        "step that lowers the cost")
        else:
            happened = f"it trained {count(iterations)}"
        if len(J) > 1 and J[-1] > J[0]:
            happened += f", its test cost climbing from {J[0]:.4f} to {J[-1]:.4f}"
        happened += (f"; lowest test cost {np.nanmin(J):.4f} against ann.py's "
                     f"{min(right.J_test):.4f}, test accuracy {100 * accuracy['test']:.1f}% "
                     f"against {100 * right_accuracy(right):.1f}%")
        said = ""
        if self.hidden and self.ask is not None:
            said = self.guess() + " "
        return (f"{said}{self.made.title} ({self.name}): {happened}, because {self.made.why}. "
                f"Compare {function} in ann.py, line {number}: {text}")

    def guess(self):
        """--break random at a terminal: the learner picks the mistake from the list."""
        width = max(map(len, TRAINABLE))
        print("\nWhich mistake was it?\n" + "\n".join(
            f"  {i:2d} {name:{width}s}  {CATALOGUE[name].function}: {CATALOGUE[name].title}"
            for i, name in enumerate(TRAINABLE, 1)))
        try:
            answer = self.ask("your guess (a number or a name): ").strip()
        except EOFError:
            answer = ""
        picked = TRAINABLE[int(answer) - 1] if answer.isdigit() and 0 < int(answer) <= len(
            TRAINABLE) else answer
        if picked == self.name or picked in TRAINABLE and \
                CATALOGUE[picked].title.split(" (")[0] == self.made.title.split(" (")[0] and \
                CATALOGUE[picked].function == self.made.function:
            return "Right:"
        return f"Not {picked or 'that'}: it was"


def count(iterations):
    """1 iteration, 8 iterations."""
    return f"{iterations} iteration{'s' * (iterations != 1)}"


def asking():
    """How --break random asks the learner which mistake it was: input() at a terminal, else
    not at all (None)."""
    return input if sys.stdin.isatty() else None


def right_accuracy(history):
    """The test accuracy of the weights ann.py's own run kept."""
    return history.acc_test[history.best_iteration]


def draw_behind(cost_ax, J_train, J_test):
    """ann.py's own costs, faint on the cost plot, behind the lines drawn live."""
    iterations = np.arange(len(J_train))
    for J, color in ((J_train, "tab:blue"), (J_test, "tab:red")):
        cost_ax.plot(iterations, J, color=color, alpha=0.25, linewidth=3, zorder=0)
    # said under the plot, as the legend above it has no room for a fourth entry
    cost_ax.set_xlabel(cost_ax.get_xlabel() + "   (faint: ann.py's own run)")
