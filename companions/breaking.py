"""--break: ann.py's network trained with one classic mistake made in it, ann.py's own run faint
behind and the symptoms under the figure, and at the end what happened, why, and the mistake's
line beside ann.py's.

`python ann.py --break NAME` makes the mistake NAME of companions/catalogue.py in ann.py's
function of its name, for each call of the cost, the gradient and predict, and runs ann.py's
run() with them; --break alone lists the mistakes; --break random hides which, and at a
terminal shows the symptoms and asks the learner to choose among a few causes before it tells.
"""
import collections
import difflib
import inspect
import random
import sys
import textwrap
import time

import numpy as np

import ann
from companions import diagnosis, figure, training
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
            "in it,\nann.py's own run faint behind; --break random hides which, and at a "
            "terminal asks you.\n"
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


def wrong_line(made):
    """The line that makes the mistake: of the wrong function's lines, one that fewest of the
    catalogue's other versions of that function share; of those, one that sets what ann.py's
    line to compare sets, else the longest (a softmax's a3, not the z3 it needs)."""
    def body(wrong):
        return [line.split("#")[0].strip() for line in inspect.getsource(wrong).splitlines()
                if line.strip() and not line.lstrip().startswith(("@", "def ", '"'))]

    def sets(line):
        return "return" if line.startswith("return ") else line.split("=")[0].rstrip(" +-*/")
    shared = collections.Counter(line for other in CATALOGUE.values()
                                 if other.function == made.function
                                 for line in set(body(other.wrong)))
    target = sets(line_in(made)[2])
    return max(body(made.wrong), key=lambda line: (-shared[line], sets(line) == target,
                                                   len(line)))


class Broken(training.Network):
    """--break NAME: the network of ann.py with one mistake made in it, as run() trains a
    learner's. Before training, ann.py's own run, drawn faint behind, and the symptoms where
    both start, drawn under the figure; once the kept weights are reported, the closing words:
    what happened, why, and the two lines to compare (with random, after the learner's
    choice)."""

    def __init__(self, args):
        self.name = args.break_mistake
        self.hidden = self.name == "random"
        if self.hidden:
            self.name = random.choice(TRAINABLE)
        self.made, self.args, self.ask = CATALOGUE[self.name], args, asking()
        title = "ann.py --break: " + ("a hidden mistake" if self.hidden else self.made.title)
        whose = ("a hidden mistake; a vectorized" if self.hidden else
                 f"{self.made.title}, in a vectorized" if self.made.function == "gradient"
                 else f"{self.made.title} in {self.made.function}; ann.py's vectorized")
        super().__init__(*diagnosis.functions(self.name),
                         diagnosis.with_mistake(self.name, "predict"), title, whose)

    def before_training(self, live, history):
        """Train ann.py's own network first (the fast path), saying how far it is, and draw its
        costs faint on live's cost plot; measure the symptoms at the initial weights, and draw
        them under the figure."""
        self.live, self.theta = live, ann.initial_weights(*history.sizes, self.args.seed)
        progress = Progress(self.args.maxiter)
        self.right = ann.History(history.sizes, history.lmbda, history.X_train,
                                 history.y_train, history.X_test, history.y_test,
                                 report=progress)
        ann.train(self.right, self.theta, self.args.maxiter, True)
        progress.done(self.right)
        self.label = draw_behind(live.cost_ax, self.right.J_train, self.right.J_test)
        self.reach = diagnosis.reach(history, self.theta)
        self.symptoms = diagnosis.measure(self.name, history, self.theta, self.reach)
        self.ann_symptoms = diagnosis.measure(None, history, self.theta, self.reach)
        self.panel = diagnosis.Panel(live, self.symptoms, self.ann_symptoms, [
            diagnosis.way_down(name, history, self.theta, self.reach)
            for name in (self.name, None)])
        if not self.hidden:
            self.panel.compare(self.lines())

    def reported(self, history, accuracy):
        """Training is done: say on the figure what the symptoms tell, and with random at a
        terminal, ask which mistake it was, the figure drawn; then name it, and close."""
        stopped = self.stopped(history)
        self.panel.explain(self.heading(history))
        place_label(self.label, self.right, history, stopped)
        said = []
        if self.hidden and self.ask is not None:
            self.live.title.set_text("which mistake is it? answer in the terminal\n"
                                     + self.live.title.get_text())
            self.live.fig.canvas.draw()             # the window up to date while it asks
            self.live.fig.canvas.flush_events()
            said = self.question(history, accuracy)
        self.panel.explain(self.panel.heading.get_text(),
                           f"{self.made.title}: {self.made.why}")
        self.panel.compare(self.lines())
        self.live.title.set_text(f"{self.name}: kept weights (iteration "
                                 f"{history.best_iteration}): " + ", ".join(
                                     f"{name} {100 * a:.1f}%" for name, a in accuracy.items())
                                 + " right")
        print("\n".join(said + self.closing(history, accuracy)))

    def heading(self, history):
        """What the symptoms tell of how training went, in a line over them."""
        if not np.isfinite(history.J_train).all():
            return "Its cost became NaN"
        return ("Why it stopped: " if self.stopped(history) else "You stopped it; " if
                history.stop_reason else "Why it trained on: ") + self.how(history)[0]

    def stopped(self, history):
        """Did fmin_cg stop before --maxiter (not the learner, and not at a NaN)?"""
        return (history.iteration - 1 < self.args.maxiter and history.stop_reason is None
                and np.isfinite(history.J_train).all())

    def lines(self):
        """The mistake's line, and ann.py's, to compare, as the closing words show them."""
        function, number, text = line_in(self.made)
        where = f"ann.py, line {number}:"
        return [f"{'the mistake:':{len(where)}s}  {wrong_line(self.made)}",
                f"{where}  {text}   ({function})"]

    def closing(self, history, accuracy):
        """The closing words: what happened; what it did to the curves and the accuracy,
        against ann.py's; why; and the two lines to compare."""
        curves, (told, taken) = self.curves(history, accuracy), self.how(history)
        yet = "yet " if np.isfinite(history.J_train).all() and not self.stopped(history) else ""
        said = [f"{self.name}, {self.made.title}: {self.happened(history)}",
                curves[0].upper() + curves[1:],
                f"Why: {self.made.why}; {yet}{told}{taken}."]
        return [line for sentence in said for line in textwrap.wrap(
            sentence, 100, subsequent_indent="     ")] + ["  " + line for line in self.lines()]

    def happened(self, history):
        """How training ended, in a sentence."""
        iterations = history.iteration - 1
        if not np.isfinite(history.J_test).all() or not np.isfinite(history.J_train).all():
            return f"its cost became NaN after {count(iterations)}."
        if history.stop_reason is not None:
            return f"you stopped it after {count(iterations)}."
        if self.stopped(history):
            return (f"fmin_cg stopped {'at once, ' * (iterations == 0)}after {iterations} of up "
                    f"to {count(self.args.maxiter)}.")
        return f"it trained all {count(iterations)}."

    def curves(self, history, accuracy):
        """What the mistake did to the test cost and accuracy, against ann.py's run."""
        right, J = self.right, np.asarray(history.J_test, dtype=float)
        if self.stopped(history):
            went = (f"climbed from {J[0]:.4f} to {J[-1]:.4f}" if J[-1] > J[0] else
                    f"stayed at its start, {J[0]:.4f}" if len(J) == 1 else
                    f"went from {J[0]:.4f} to {np.nanmin(J):.4f}")
            said = f"its test cost {went}, while ann.py's fell to {min(right.J_test):.4f}"
        else:
            said = (f"its test cost fell to {np.nanmin(J):.4f}, ann.py's to "
                    f"{min(right.J_test[:len(J)]):.4f} in as many iterations")
        return (said + f"; test accuracy {100 * accuracy['test']:.1f}%"
                f"{self.one_class(history)}, ann.py's "
                f"{100 * right.acc_test[right.best_iteration]:.1f}%.")

    def how(self, history):
        """How the symptoms made training go as it did: what they say, and how fmin_cg took it
        (a clause each)."""
        symptoms, iterations, stopped = self.symptoms, history.iteration - 1, \
            self.stopped(history)
        if diagnosis.rises(symptoms):
            return ("the cost rises where the gradient says it falls",
                    ", and fmin_cg takes only steps that lower it" if stopped else "")
        if not stopped:
            return (f"the cost still falls where the gradient says it falls, "
                    f"{diagnosis.rate(symptoms)}", ", so fmin_cg keeps finding lower steps")
        if abs(diagnosis.ratio(symptoms) - 1) < 0.1:
            part = int(np.argmax(symptoms.parts))
            return ("the cost first falls as the gradient claims, but the gradient check says "
                    "they differ", f" (Theta{part + 1}'s part {symptoms.parts[part]:.1e}), and "
                    f"fmin_cg's line search gave up after {count(iterations)}")
        return (f"the cost falls {diagnosis.rate(symptoms)}", ", and fmin_cg's line search, "
                f"which relies on that rate, gave up after {count(iterations)}")

    def one_class(self, history):
        """' (every galaxy called Spiral)' when the kept weights call every test galaxy one
        class."""
        Theta1, Theta2 = ann.reshape(history.best_theta, *history.sizes)
        classes = np.unique(self.predict(Theta1, Theta2, history.X_test))
        names = ann.class_names(history.sizes[2])
        return f" (every galaxy called {names[classes[0]]})" if len(classes) == 1 else ""

    def question(self, history, accuracy):
        """--break random at a terminal: the symptoms, then a few causes to choose among; the
        learner's choice judged. Returns what to say before the closing words."""
        offered, measured = diagnosis.choices(self.name, history, self.theta, self.reach)
        print("\nA hidden mistake. Its symptoms, where this run and ann.py's start (the figure "
              "shows them too):\n  " + "\n  ".join(
                  diagnosis.described(self.symptoms, self.ann_symptoms)) +
              f"\n  the curves: {self.happened(history)[:-1]}; {self.curves(history, accuracy)}")
        width = max(map(len, offered))
        print("Which of these made it?\n" + "\n".join(
            f"  {i} {name:{width}s}  {CATALOGUE[name].function}: {CATALOGUE[name].title}"
            for i, name in enumerate(offered, 1)))
        for _ in range(3):
            try:
                choice = diagnosis.picked(self.ask("your choice (a number or a name): "), offered)
            except EOFError:
                break
            if choice is not None:
                return [""] + self.verdict(choice, offered, measured, history)
            print(f"  a number from 1 to {len(offered)}, or a mistake's name, as listed")
        return ["", "No choice made."]

    def verdict(self, choice, offered, measured, history):
        """What the learner's choice is told: right, and how each other choice offered is ruled
        out; a twin, said to be one; or wrong, and the symptom that rules it out. measured:
        the Symptoms of each offered, by name."""
        seen = measured[self.name]
        if choice == self.name:
            return [f"Right: {self.name}. Each other choice is ruled out by a symptom:"] + [
                f"  {other}: " + ("its twin, the same mistake written another way" if
                                  diagnosis.twins(other, self.name) else
                                  diagnosis.ruled_out(measured[other], seen))
                for other in offered if other != self.name]
        if diagnosis.twins(choice, self.name):
            return [f"Right, by its twin: {choice} is the same mistake written another way, "
                    f"{CATALOGUE[choice].title.split(' (')[-1].rstrip(')')}; this run's wrote "
                    f"it {self.made.title.split(' (')[-1].rstrip(')')}."]
        would = measured.get(choice) or diagnosis.measure(choice, history, self.theta,
                                                          self.reach)
        reason = diagnosis.ruled_out(would, seen)
        return [f"Not {choice}: with it, {reason}." if reason else
                f"Not {choice}, though its symptoms here would be much the same."]


class Progress:
    """How far ann.py's own run is, as its History's report: on a terminal one line, redrawn;
    elsewhere a line at each quarter."""

    def __init__(self, maxiter, out=None):
        self.maxiter, self.out = maxiter, out or sys.stdout
        self.terminal = self.out.isatty()
        self.iteration, self.quarter, self.start = -1, 0, time.monotonic()
        self.drawn = self.start
        print(f"first ann.py's own run, to draw faint behind: up to {maxiter} iterations on the "
              "fast path", file=self.out, flush=True)

    def __call__(self, line):
        self.iteration += 1
        now = time.monotonic()
        if self.terminal and (now - self.drawn > 0.2 or self.iteration == self.maxiter):
            self.drawn, spent = now, now - self.start
            left = spent / max(self.iteration, 1) * (self.maxiter - self.iteration)
            print(f"\r  iteration {self.iteration}/{self.maxiter}" + (
                f", about {figure.duration(left)} left" if self.iteration >= 5 and left >= 1
                else "") + " " * 12, end="", file=self.out, flush=True)
        elif not self.terminal and 4 * self.iteration >= (self.quarter + 1) * self.maxiter:
            self.quarter += 1
            print(f"  iteration {self.iteration}/{self.maxiter} "
                  f"({now - self.start:.0f} s)", file=self.out, flush=True)

    def done(self, history):
        """The run's end, in the progress line's place."""
        print("\r" * self.terminal + f"  ann.py's own run: {count(history.iteration - 1)} in "
              f"{time.monotonic() - self.start:.1f} s, lowest test cost "
              f"{min(history.J_test):.4f}", file=self.out, flush=True)


def count(iterations):
    """1 iteration, 8 iterations."""
    return f"{iterations} iteration{'s' * (iterations != 1)}"


def asking():
    """How --break random asks the learner which mistake it was: input() at a terminal, else
    not at all (None)."""
    return input if sys.stdin.isatty() else None


def draw_behind(cost_ax, J_train, J_test):
    """ann.py's own costs, faint on the cost plot, behind the lines drawn live, and labelled as
    ann.py's beside its test curve. Returns the label."""
    iterations = np.arange(len(J_train))
    for J, color in ((J_train, "tab:blue"), (J_test, "tab:red")):
        cost_ax.plot(iterations, J, color=color, alpha=0.25, linewidth=3, zorder=0)
    middle = int(0.55 * (len(J_test) - 1))
    return cost_ax.annotate("ann.py's own run (faint)", (middle, J_test[middle]), xytext=(0, 4),
                            textcoords="offset points", ha="center", va="bottom", color="0.4",
                            fontsize=11, annotation_clip=False,
                            bbox=dict(facecolor="white", alpha=0.7, edgecolor="none", pad=1))


def place_label(label, right, history, stopped):
    """Put the faint run's label (right: its History) under its training curve halfway along,
    or above its test curve where there is no room below; and if this run stopped early, say
    where."""
    ax = label.axes
    bottom, top = ax.get_ylim()
    at = int(0.55 * (len(right.J_train) - 1))
    if right.J_train[at] - bottom > 0.15 * (top - bottom):
        label.xy, label.xyann = (at, right.J_train[at]), (0, -6)
        label.set_va("top")
    else:
        label.xy, label.xyann = (at, min(right.J_test[at], top)), (0, 4)
        label.set_va("bottom")
    if stopped:
        ax.annotate(f"this run stopped here, at iteration {history.iteration - 1}",
                    (history.iteration - 1, history.J_test[-1]), xytext=(12, -4),
                    textcoords="offset points", va="top", fontsize=11, color="tab:red")
