"""The exercise: a learner writes the article's six functions, is told what is wrong, trains them.

`python ann.py --exercise my_ann.py` writes my_ann.py from ann.py's own source: the six
functions' signatures and docstrings, each body raising NotImplementedError. `python my_ann.py`
then checks them in the article's order, each alone (the other five ann.py's own meanwhile, so
that one mistake is not blamed on the functions that call it), on small networks unlike the
galaxies, against what ann.py's own functions give there. A wrong answer that gives what a
classic mistake of companions/catalogue.py gives, on every check, is named, with what to change;
any other is explained as companions/advice.py says. Once all six are right (and fast enough to
train, or warned about), the learner's network trains as ann.py's does.
"""
import ast
import glob
import inspect
import os
import sys
import textwrap
import time
from unittest import mock

import numpy as np

import ann
from companions import advice, catalogue, figure, screens, training
from companions.advice import arguments, check_cases, same
from companions.catalogue import NAMES, SECTIONS
from companions.data import UserError

HEADER = '''\
"""{file}: the article's six functions, for you to write.

Fill in each function below, in the order the article teaches them, with numpy alone: a function
may call the ones above it, as the article's do. Then run

    python {file}

It checks your functions one by one against ann.py's own, on small networks, and says which is
not right yet and what is wrong with it; once all six are right, your network trains on the
galaxies, live, as `python ann.py` does (its options work here too: --maxiter 50, --no-plot,
--data tutorial). The shapes, as in ann.py: m examples, n = 1024 pixels (input_layer_size),
h = 8 hidden units (hidden_layer_size), K = 3 classes (num_labels); an image is a row of X,
and the labels y come as the article has them, (m, 1). Your work stays yours: nothing ever
writes over this file.
"""
import numpy as np
'''
FOOTER = '''

if __name__ == "__main__":    # python {file}: check the six functions, then train your network
    import sys
    sys.path.insert(0, {project!r})    # where ann.py is
    try:
        import ann
    except ModuleNotFoundError as missing:
        if missing.name != "ann":
            raise
        sys.exit("{file}: error: ann.py is not in " + {project!r} + " any more: write "
                 "where it is now in the sys.path.insert line at the end of {file}")
    status = ann.main(learner=globals())
    if ann.screens.notebook_shell() is None:    # in Jupyter, %run would show SystemExit
        sys.exit(status)
'''


def write(path):
    """Write the exercise file `path` from the source of ann.py's six functions: each
    function's signature and docstring, its body raising NotImplementedError. An existing file
    is never replaced. Returns the exit status."""
    parts = [HEADER.format(file=os.path.basename(path))]
    for name in NAMES:
        source = textwrap.dedent(inspect.getsource(getattr(ann, name)))
        docstring = ast.parse(source).body[0].body[0]
        parts.append("\n\n" + "\n".join(source.splitlines()[:docstring.end_lineno]) +
                     f'\n    raise NotImplementedError("{name}: article section '
                     f'{SECTIONS[name]}")\n')
    parts.append(FOOTER.format(file=os.path.basename(path), project=ann.HERE))
    try:
        with open(path, "x", encoding="utf-8") as f:      # "x": never over an existing file
            f.write("".join(parts))
    except FileExistsError:
        raise UserError(f"{path} already exists: it is not touched (your work is kept); give "
                        "another name") from None
    except OSError as e:
        raise UserError(f"{path}: cannot write it ({e.strerror})") from None
    print(f"wrote {path}: the article's six functions, for you to write. Then run: "
          f"{command(path)}")
    return 0


# ==== Checking the learner's functions ===========================================================

def check_options(parser, args, learner):
    """In a learner's file (learner: its path), the options that are ann.py's own are refused
    in one line."""
    own = [f"--{name.replace('_', '-')}" for name in ("vectorized", "sweep", "weights",
                                                       "check_gradients", "exercise")
           if learner and getattr(args, name)]
    if own:
        parser.refuse(f"{parser.prog} trains your network with your own functions: leave out "
                      f"{' and '.join(own)}, ann.py's own (python ann.py {own[0]} runs it)")
    name = os.path.basename(args.exercise or "")
    module = os.path.splitext(name)[0]
    if args.exercise and module in imported_modules():      # python numpy.py: numpy is yours
        parser.refuse(f"--exercise: {name} would hide the module {module}, which ann.py "
                      f"imports: python {name} would import your file in its place; give another "
                      "name (my_ann.py, say)")


def imported_modules():
    """The names a file beside a script could hide: every module loaded now (numpy's and
    matplotlib's own imports among them), and every one ann.py and its companions import."""
    names = {name.split(".")[0] for name in sys.modules} | {"ann", "companions"}
    for path in [os.path.join(ann.HERE, "ann.py"), *glob.glob(os.path.join(ann.HERE,
                                                                            "companions", "*.py"))]:
        with open(path, encoding="utf-8") as f:
            for node in ast.walk(ast.parse(f.read())):
                if isinstance(node, ast.Import):
                    names |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.level == 0:
                    names.add(node.module.split(".")[0])
    return names


def run(learner, args):
    """python my_ann.py: check the learner's six functions (learner: their file's namespace),
    then, once all are right, train them as ann.py trains its own. Returns the exit status."""
    network = check(learner, args.traceback, args.maxiter)
    return 1 if network is None else ann.run(args, network)


class Learner(training.Network):
    """The learner's network, as run() trains it. Once a stop is asked for (Ctrl-C, the window
    closed), a learner's slow function stops training after the current evaluation, not at the
    end of an iteration that may take minutes."""

    def __init__(self, learner, title):
        self.history = None
        super().__init__(self.stoppable(lambda *args: float(np.ravel(
            learner["cost_function"](*args))[0])), self.stoppable(learner["gradient"]),
            lambda *args: np.ravel(learner["predict"](*args)).astype(int), title, "your")

    def stoppable(self, function):
        def call(*args):
            if self.history is not None and self.history.stop_reason is not None:
                raise training.StopTraining(self.history.stop_reason)
            return function(*args)
        return call

    def before_training(self, live, history):
        self.history = history


def check(learner, show_traceback=False, maxiter=600):
    """Check the learner's six functions (learner: their file's namespace) against ann.py's own,
    print the report, and return the learner's network to train (a Learner), or None while any
    function is not right. Once all are right, warn if maxiter
    iterations on the galaxies would take far longer than ann.py's looped run."""
    path = learner.get("__file__") or "your file"
    file = os.path.basename(path)
    print(f"Checking the article's six functions in {file} against ann.py's, one by one (the "
          "other five ann.py's own meanwhile), on small networks unlike the galaxies:")
    reference, tracebacks = {name: getattr(ann, name) for name in NAMES}, []
    verdicts = {name: check_one(name, learner, reference, path, tracebacks)
                for name in NAMES}
    for name, (state, summary, _) in verdicts.items():
        print(f"  {name:14s} {state}{': ' + summary if summary else ''}")
    if show_traceback:                    # --traceback: after the table, not inside it
        for text in tracebacks:
            print("\n" + text.rstrip())
    first = next((name for name in NAMES if verdicts[name][0] != "right"), None)
    if first is None:
        print("All six are right. Now your network trains on the galaxies, with fmin_cg on your "
              "cost_function and gradient, as python ann.py trains its own:")
        slow = too_slow(learner, reference, maxiter)
        if slow:
            print(slow)
        return Learner(learner, f"{file}: your network, training")
    state, summary, details = verdicts[first]
    print(f"\nStart with {first} (article section {SECTIONS[first]}): "
          + (f"it is not written yet. Write it in place of its raise NotImplementedError, then "
             f"run {command(path)} again." if state == "not written yet" else details)
          + ("" if show_traceback or not tracebacks else
             f"\n  ({command(path)} --traceback shows the whole traceback.)"))
    return None


CALLS_PER_ITERATION = 1.8     # fmin_cg's evaluations of the cost (and of the gradient), measured


def too_slow(learner, reference, maxiter, m=27, galaxies=2700, limit=30 * 60):
    """A warning if the learner's cost_function and gradient would take over `limit` seconds
    for maxiter iterations on the galaxies, else "". Estimated from one call of each on m
    random examples of 1024 pixels, scaled to the galaxies' count (the article's loop over
    examples, and numpy's products, scale with it); ann.py's own are timed alike."""
    n, h, K = 1024, 8, 3
    rng = np.random.RandomState(0)
    given = (rng.uniform(-0.2, 0.2, h * (n + 1) + K * (h + 1)), n, h, K, rng.rand(m, n),
             (np.arange(m) % K).reshape(-1, 1), 1.0)

    def seconds(functions):
        start = time.perf_counter()
        with catalogue.quiet():
            for function in functions:
                function(*given)
        return (time.perf_counter() - start) * galaxies / m * CALLS_PER_ITERATION * maxiter
    try:
        theirs = seconds((learner["cost_function"], learner["gradient"]))
    except Exception:                 # on the galaxies' shapes it may fail: training will say
        return ""
    if theirs <= limit:
        return ""
    ours = seconds((reference["cost_function"], reference["gradient"]))
    return (f"A warning first: your cost_function and gradient would take about "
            f"{figure.duration(theirs)} for {maxiter} iterations on the galaxies (estimated on "
            f"{m} examples), where ann.py's looped gradient takes about "
            f"{figure.duration(ours)}. A Python loop over pixels or hidden units is the likely "
            "cause: loop over the examples at most, as the article does, and let numpy's @ and "
            "np.outer do the rest. Ctrl-C stops training, and the kept weights are still "
            "reported.")


def command(path):
    """How the learner runs their file again, from the folder they are in: python PATH, or
    %run PATH in a notebook; PATH relative to the current folder where it is at most one folder
    up from it, else whole, and in double quotes if it has a space (read alike by a POSIX shell,
    Windows' and IPython)."""
    try:
        relative = os.path.relpath(path)
    except ValueError:                          # on another drive (Windows)
        relative = path
    shown = os.path.abspath(path) if relative.startswith(2 * (os.pardir + os.sep)) else relative
    shown = f'"{shown}"' if any(c.isspace() for c in shown) else shown
    return f"{'%run' if screens.notebook_shell() else 'python'} {shown}"


def check_one(name, learner, reference, path, tracebacks):
    """The verdict on the learner's `name`, alone: (state, a few words, the details)."""
    function = learner.get(name)
    if not callable(function):
        return "wrong", f"{os.path.basename(path)} has no function {name}", (
            f"{os.path.basename(path)} has no function {name}: write it, with ann.py's "
            "signature")
    others = {other: reference[other] for other in NAMES if other != name}
    with mock.patch.dict(learner, others):           # the others: ann.py's, for the check
        return verdict_on(name, function, reference, path, tracebacks)


def verdict_on(name, function, reference, path, tracebacks):
    """check_one's verdict on `function`, the learner's `name`, once the others are ann.py's."""
    answers, cases = [], check_cases()
    for case in cases:
        given = arguments(name, case)
        copies = [np.copy(value) for value in given]
        try:
            with catalogue.quiet():
                answers.append(function(*copies))
        except NotImplementedError:
            return "not written yet", "", ""
        except Exception as error:                    # the learner's mistake: said, not raised
            return "wrong", f"it raises {type(error).__name__}", advice.raised(
                error, name, path, case, tracebacks, advice.flat_labels(name, function, cases))
        verdict = input_changed(name, function, reference, given, copies, path)
        if verdict:
            return verdict
    if any(answer is None for answer in answers):
        return "wrong", "it returns None", (f"{name} returns None: is its return statement "
                                            "missing?")
    expected = [reference[name](*arguments(name, case)) for case in cases]
    if all(same(name, answer, right) for answer, right in zip(answers, expected)):
        return "right", "", ""
    for key, wrong in catalogue.wrong_answers(name, cases, arguments).items():
        if all(same(name, answer, made) for answer, made in zip(answers, wrong)):
            made = catalogue.CATALOGUE[key]
            return "wrong", made.title, (
                f"{made.title}, a classic mistake.\n  What to change: "
                f"{advice.what_to_change(key, function)}.\n"
                + advice.where_it_differs(name, answers, expected, cases))
    return "wrong", "", advice.unnamed(name, answers, expected, cases,
                                       advice.flat_labels(name, function, cases))


def input_changed(name, function, reference, given, copies, path):
    """The verdict on the learner's `name` if it wrote into an argument it was given (copies:
    the arguments it got, given: the same before the call), or None if it left them all as
    they were."""
    changed = [parameter for parameter, before, after in zip(
        inspect.signature(reference[name]).parameters, given, copies)
        if not np.array_equal(before, after, equal_nan=True)]
    if not changed:
        return None
    line = written_at(function, given, path)
    if line and changed[0] == "theta" and not line.startswith("theta"):
        return "wrong", "it changes its input theta through a view", (
            f"{name} changes theta, which it is given, through a view, at\n    {line}\n"
            "  reshape's Theta1 and Theta2 are views of theta, sharing its memory, so "
            "writing into them writes into theta, which fmin_cg needs as it was. Take "
            "copies first (Theta1 = Theta1.copy()) or make new arrays (Theta1[:, 1:], "
            "without writing into it).")
    return "wrong", f"it changes its input {changed[0]}", (
        f"{name} changes {changed[0]}, which it is given: fmin_cg and the other "
        f"functions need it as it was. Work on a copy ({changed[0]}.copy()) or make "
        "new arrays.")


def written_at(function, given, path):
    """The line of the learner's file where `function` writes into an array it is given (run
    again on read-only copies), or None."""
    frozen = [np.array(value) for value in given]
    for value in frozen:
        value.flags.writeable = False
    try:
        with catalogue.quiet():
            function(*frozen)
    except ValueError as error:
        at = advice.last_in_file(error, path)
        if at is not None and "read-only" in str(error):
            return at[1]
    except Exception:
        pass
    return None


