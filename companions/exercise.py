"""The exercise: a learner writes the article's six functions, is told what is wrong, trains them.

The learner writes the article's six functions, is told precisely what is wrong, then watches
their own network learn.

`python ann.py --exercise my_ann.py` writes my_ann.py from ann.py's own source: the six
functions' signatures and docstrings, each body raising NotImplementedError. `python my_ann.py`
then checks them in the article's order, each alone (the other five ann.py's own meanwhile, so
that one mistake is not blamed on the functions that call it), on small networks unlike the
galaxies, against what ann.py's own functions give there. A wrong answer that gives what a
classic mistake of companions/mistakes.py gives, on every check, is named, with what to change;
any other is shown against the expected numbers, with the direction they point to, or the form
expected in words. A function that raises gets its line, the shapes there and the operator to
use. Once all six are right (and fast enough to train, or warned about), the learner's network
trains as ann.py's does.

The companions never import ann.py (run as a script, it would be loaded a second time): ann.py
gives its six functions as arguments, in the article's order.
"""
import ast
import inspect
import os
import re
import textwrap
import time
import traceback
import warnings
from collections import namedtuple

import numpy as np

from companions import mistakes, screens, training
from companions.data import UserError

SECTIONS = {"g": 2, "grad_g": 2, "predict": 3, "reshape": 4, "cost_function": 4, "gradient": 5}
NAMES = tuple(SECTIONS)           # the article's order
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


def write(path, article, project):
    """Write the exercise file `path` from the source of ann.py's six functions (article, in
    the article's order): each function's signature and docstring, its body raising
    NotImplementedError. An existing file is never replaced. Returns the exit status."""
    parts = [HEADER.format(file=os.path.basename(path))]
    for name, function in zip(NAMES, article):
        source = textwrap.dedent(inspect.getsource(function))
        docstring = ast.parse(source).body[0].body[0]
        parts.append("\n\n" + "\n".join(source.splitlines()[:docstring.end_lineno]) +
                     f'\n    raise NotImplementedError("{name}: article section '
                     f'{SECTIONS[name]}")\n')
    parts.append(FOOTER.format(file=os.path.basename(path), project=project))
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


# ==== The check cases: small networks unlike the galaxies ========================================

Case = namedtuple("Case", "n h K m lmbda theta X y")


def check_cases():
    """Two small networks, n - h - K, m examples of every class, labels y (m, 1): one without
    regularization, one with."""
    cases = []
    for seed, (n, h, K, m, lmbda) in enumerate([(5, 4, 3, 9, 0.0), (6, 3, 4, 10, 1.5)]):
        rng = np.random.RandomState(seed)
        theta = rng.uniform(-1, 1, h * (n + 1) + K * (h + 1))
        y = (np.arange(m) * 7 % K).reshape(-1, 1)           # every class, not in order
        cases.append(Case(n, h, K, m, lmbda, theta, rng.rand(m, n), y))
    return cases


def arguments(name, case):
    """What the article's `name` is given on a check case."""
    sizes = (case.n, case.h, case.K)
    split = case.h * (case.n + 1)
    return {"g": lambda: (np.linspace(-6, 6, 13).reshape(-1, 1) * [1, 0.5],),
            "grad_g": lambda: (np.linspace(-6, 6, 13).reshape(-1, 1) * [1, 0.5],),
            "predict": lambda: (case.theta[:split].reshape(case.h, -1),
                                case.theta[split:].reshape(case.K, -1), case.X),
            "reshape": lambda: (case.theta, *sizes),
            "cost_function": lambda: (case.theta, *sizes, case.X, case.y, case.lmbda),
            "gradient": lambda: (case.theta, *sizes, case.X, case.y, case.lmbda)}[name]()


# ==== Checking the learner's functions ===========================================================

SHAPES = {   # the article's names, for one example (for all m at once, m rows of these)
    "X": ("(m, n)", lambda c: (c.m, c.n)), "y": ("(m, 1)", lambda c: (c.m, 1)),
    "theta": ("(h (n + 1) + K (h + 1),)", lambda c: (c.h * (c.n + 1) + c.K * (c.h + 1),)),
    "Theta1": ("(h, n + 1)", lambda c: (c.h, c.n + 1)),
    "Theta2": ("(K, h + 1)", lambda c: (c.K, c.h + 1)),
    "a1": ("(n + 1,)", lambda c: (c.n + 1,)), "z2": ("(h,)", lambda c: (c.h,)),
    "a2": ("(h + 1,)", lambda c: (c.h + 1,)), "z3": ("(K,)", lambda c: (c.K,)),
    "a3": ("(K,)", lambda c: (c.K,)), "delta3": ("(K,)", lambda c: (c.K,)),
    "delta2": ("(h,)", lambda c: (c.h,)), "Y": ("(m, K)", lambda c: (c.m, c.K)),
    "Delta1": ("(h, n + 1)", lambda c: (c.h, c.n + 1)),
    "Delta2": ("(K, h + 1)", lambda c: (c.K, c.h + 1)),
}


class Network(namedtuple("Network", "cost_function gradient predict title")):
    """What run() trains in place of ann.py's own functions: the learner's (or --break's).
    whose: what the run's first line calls it; before_training(live, history): a hook."""
    whose = "your"
    history = None

    def before_training(self, live, history):
        """Keep the run's history: a learner's slow function stops training after the current
        evaluation once a stop is asked for (Ctrl-C, the window closed), not at the end of an
        iteration that may take minutes."""
        self.history = history

    def unless_stopped(self):
        """Raise training.StopTraining if a stop has been asked for."""
        if self.history is not None and self.history.stop_reason is not None:
            raise training.StopTraining(self.history.stop_reason)


def check(learner, article, show_traceback=False, maxiter=600):
    """Check the learner's six functions (learner: their file's namespace) against ann.py's own
    (article, in the article's order), print the report, and return the learner's Network to
    train, or None while any function is not right. Once all are right, warn if maxiter
    iterations on the galaxies would take far longer than ann.py's looped run."""
    path = learner.get("__file__") or "your file"
    file = os.path.basename(path)
    print(f"Checking the article's six functions in {file} against ann.py's, one by one (the "
          "other five ann.py's own meanwhile), on small networks unlike the galaxies:")
    reference, tracebacks = dict(zip(NAMES, article)), []
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
        def cost(*args):
            network.unless_stopped()
            return float(np.ravel(learner["cost_function"](*args))[0])

        def gradient(*args):
            network.unless_stopped()
            return learner["gradient"](*args)
        network = Network(cost, gradient,
                          lambda *args: np.ravel(learner["predict"](*args)).astype(int),
                          f"{file}: your network, training")
        return network
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
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
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
            f"{duration(theirs)} for {maxiter} iterations on the galaxies (estimated on {m} "
            f"examples), where ann.py's looped gradient takes about {duration(ours)}. A Python "
            "loop over pixels or hidden units is the likely cause: loop over the examples at "
            "most, as the article does, and let numpy's @ and np.outer do the rest. Ctrl-C "
            "stops training, and the kept weights are still reported.")


def duration(seconds):
    """A duration in words: 40 minutes, 3.5 hours."""
    return f"{seconds / 60:.0f} minutes" if seconds < 5400 else f"{seconds / 3600:.1f} hours"


def command(path):
    """How the learner runs their file again, from the folder they are in: python PATH, or
    %run PATH in a notebook; PATH relative to the current folder where it is inside it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:                          # on another drive (Windows)
        relative = path
    shown = os.path.abspath(path) if relative.startswith(2 * (os.pardir + os.sep)) else relative
    return f"{'%run' if screens.notebook_shell() else 'python'} {shown}"


def check_one(name, learner, reference, path, tracebacks):
    """The verdict on the learner's `name`, alone: (state, a few words, the details)."""
    function = learner.get(name)
    if not callable(function):
        return "wrong", f"{os.path.basename(path)} has no function {name}", (
            f"{os.path.basename(path)} has no function {name}: write it, with ann.py's "
            "signature")
    others = {other: learner.get(other) for other in NAMES if other != name}
    learner.update((other, reference[other]) for other in others)     # the others: ann.py's
    try:
        answers, cases = [], check_cases()
        for case in cases:
            given = arguments(name, case)
            copies = [np.copy(value) for value in given]
            try:
                with warnings.catch_warnings(), np.errstate(all="ignore"):
                    warnings.simplefilter("ignore")
                    answers.append(function(*copies))
            except NotImplementedError:
                return "not written yet", "", ""
            except Exception as error:                # the learner's mistake: said, not raised
                return "wrong", f"it raises {type(error).__name__}", raised(
                    error, name, path, case, reference, tracebacks)
            verdict = input_changed(name, function, reference, given, copies, path)
            if verdict:
                return verdict
        if any(answer is None for answer in answers):
            return "wrong", "it returns None", (f"{name} returns None: is its return statement "
                                                "missing?")
        expected = [reference[name](*arguments(name, case)) for case in cases]
        if all(same(name, answer, right) for answer, right in zip(answers, expected)):
            return "right", "", ""
        article = tuple(reference[function] for function in NAMES)
        for key, wrong in mistakes.wrong_answers(name, article, cases, arguments).items():
            if all(same(name, answer, made) for answer, made in zip(answers, wrong)):
                made = mistakes.CATALOGUE[key]
                return "wrong", made.title, (
                    f"{made.title}, a classic mistake.\n  What to change: {made.advice}.\n"
                    + where_it_differs(name, answers, expected, cases))
        return "wrong", "", unnamed(name, answers, expected, cases, article)
    finally:
        for other, value in others.items():
            if value is None:
                learner.pop(other, None)
            else:
                learner[other] = value


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
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            function(*frozen)
    except ValueError as error:
        tb, at = error.__traceback__, None
        while tb is not None:
            if os.path.abspath(tb.tb_frame.f_code.co_filename) == os.path.abspath(path):
                at = tb
            tb = tb.tb_next
        if at is not None and "read-only" in str(error):
            import linecache
            linecache.checkcache(path)          # the file as it is now
            return linecache.getline(path, at.tb_lineno).strip()
    except Exception:
        pass
    return None


def normalized(name, answer):
    """The answer as ann.py's would be, where the article allows another form: predictions
    (m, 1), or a cost in a 1-element array. None if it cannot be read as numbers."""
    try:
        if name == "reshape":
            return tuple(np.asarray(part, dtype=float) for part in answer)
        answer = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return None
    if name == "predict" and answer.ndim == 2 and answer.shape[1] == 1:
        return answer.ravel()
    return answer.reshape(()) if name == "cost_function" and answer.size == 1 else answer


def same(name, answer, expected):
    """Is the answer ann.py's, to round-off (a relative 1e-7)?"""
    answer, expected = normalized(name, answer), normalized(name, expected)
    if answer is None:
        return False
    if name == "reshape":
        return len(answer) == 2 and all(same("", a, e) for a, e in zip(answer, expected))
    return np.shape(answer) == np.shape(expected) and np.allclose(answer, expected, rtol=1e-7,
                                                                  atol=1e-12)


FORMS = {   # what each function returns, in words
    "g": "an array shaped like x, g of each entry", "grad_g": "an array shaped like x, g' of "
    "each entry", "predict": "class indices (m,) from np.argmax, not the outputs (m, K)",
    "reshape": "two arrays, Theta1 (h, n + 1) then Theta2 (K, h + 1)",
    "cost_function": "a single number",
    "gradient": "one flat vector shaped like theta, (h (n + 1) + K (h + 1),)"}


def given_to(name, case):
    """What `name` is given on a check case, in words."""
    if name in ("g", "grad_g"):
        return "x from -6 to 6 (an array of shape (13, 2))"
    network = f"a {case.n} - {case.h} - {case.K} network, {case.m} examples"
    return network + (f", lambda {case.lmbda:g}" if name in ("cost_function", "gradient") else "")


def unnamed(name, answers, expected, cases, article):
    """A wrong answer that is no classic mistake: "other numbers" only where numbers came back
    in ann.py's form, with the direction those numbers show; otherwise the form expected."""
    forms = [normalized(name, a) for a in answers]
    numbers = all(form is not None and (len(form) == 2 if name == "reshape" else True) and
                  all(np.shape(x) == np.shape(y) for x, y in zip(
                      form if name == "reshape" else [form],
                      normalized(name, e) if name == "reshape" else [normalized(name, e)]))
                  for form, e in zip(forms, expected))
    if not numbers:
        return (f"its answer is not in the form of ann.py's, {FORMS[name]}.\n"
                + where_it_differs(name, answers, expected, cases))
    hint = direction(name, answers, expected, cases, article)
    return ("it gives other numbers than ann.py's." + (f"\n  {hint}" if hint else "") + "\n"
            + where_it_differs(name, answers, expected, cases))


RATIOS = ((lambda c: c.m, "m = {m} times ann.py's: is a division by m missing?"),
          (lambda c: 1 / c.m, "ann.py's divided by m = {m} once more: is m divided twice?"),
          (lambda c: 2, "twice ann.py's: a 2 too few in a denominator?"),
          (lambda c: 0.5, "half of ann.py's: a 2 too many in a denominator?"),
          (lambda c: 1 / c.K, "ann.py's divided by K = {K}: a mean over the classes as well?"),
          (lambda c: -1, "ann.py's with the sign flipped"))


def direction(name, answers, expected, cases, article):
    """What the numbers of a wrong cost or gradient point to, in a sentence, or ""."""
    if name not in ("cost_function", "gradient"):
        return ""
    agree = [same(name, a, e) for a, e in zip(answers, expected)]
    for wrong, sentence in mistakes.directions(name, article, cases, arguments):
        if all(same(name, a, w) for a, w in zip(answers, wrong)):
            return sentence
    if agree[0] and cases[0].lmbda == 0:
        return (f"It is right at lambda 0 but not at lambda {cases[1].lmbda:g}: the "
                "regularization is where it differs.")
    case, answer, right = next((c, np.ravel(normalized(name, a)), np.ravel(normalized(name, e)))
                               for c, a, e, ok in zip(cases, answers, expected, agree) if not ok)
    ratio = np.dot(answer, right) / np.dot(right, right) if np.dot(right, right) else 0.0
    if np.allclose(answer, ratio * right, rtol=1e-7, atol=1e-12):
        for value, words in RATIOS:
            if np.isclose(ratio, value(case), rtol=1e-6):
                sentence = "Its answer below is exactly " + words.format(m=case.m, K=case.K)
                return sentence + ("" if sentence.endswith("?") else ".")
    if name == "gradient":
        split = case.h * (case.n + 1)
        if np.allclose(answer[split:], right[split:], rtol=1e-7, atol=1e-12):
            return ("Only Theta1's part is off, Theta2's is right: look at delta2, the hidden "
                    "layer's error, and how it becomes Delta1.")
    return ""


def where_it_differs(name, answers, expected, cases):
    """The first check case where the answer differs, in numbers or in form, and a sanity
    number."""
    case, answer, right = next((c, a, e) for c, a, e in zip(cases, answers, expected)
                               if not same(name, a, e))
    given = given_to(name, case)
    answer, right, returned = normalized(name, answer), normalized(name, right), answer
    if answer is None or name == "reshape" and len(answer) != 2:
        return (f"  On {given}: it returned a {type(returned).__name__}"
                + (f" of {len(answer)} arrays, not two, Theta1 and Theta2." if answer else
                   ", which cannot be read as numbers in that form."))
    if name == "reshape" and [np.shape(a) for a in answer] == [np.shape(r) for r in right][::-1]:
        return (f"  On {given}: Theta1 and Theta2 are swapped, shapes {np.shape(answer[0])} and "
                f"{np.shape(answer[1])}: return Theta1, Theta2, in that order.")
    parts = list(answer) if name == "reshape" else [answer]
    for part, (label, expected_part) in zip(parts, (zip(("Theta1", "Theta2"), right)
                                                    if name == "reshape" else [(name, right)])):
        if np.shape(part) != np.shape(expected_part):
            form = FORMS[name] if name != "reshape" else (
                "Theta1 (h, n + 1)" if label == "Theta1" else "Theta2 (K, h + 1)")
            return (f"  On {given}: {label} came out with shape {np.shape(part)}, expected "
                    f"{np.shape(expected_part)}: {form}.")
        wrong = ~np.isclose(part, expected_part, rtol=1e-7, atol=1e-12)
        if wrong.any():
            at = tuple(int(i) for i in np.unravel_index(np.argmax(wrong), np.shape(part)))
            text = (f"  On {given}: {label}{list(at) if at else ''}"
                    f"{theta_entry(case, at[0]) if name == 'gradient' else ''} is "
                    f"{part[at]:.6g}, expected {expected_part[at]:.6g}")
            break
    if name == "gradient":
        return f"{text}.\n{gradient_blocks(case, answer, right)}"
    sanity = {"g": "  g(0) should be 0.5, g(6) about 0.9975.",
              "grad_g": "  g'(0) should be 0.25, the sigmoid's steepest.",
              "cost_function": f"  At all-zero weights every output is 1/2 and the cost is "
                               f"K ln 2 = {case.K * np.log(2):.4f} (K = {case.K})."}
    return f"{text}.\n{sanity.get(name, '')}".rstrip()


def theta_entry(case, j):
    """Which weight the j'th entry of a flat theta (or gradient) is, in words."""
    split = case.h * (case.n + 1)
    row, column = divmod(j - split * (j >= split), case.n + 1 if j < split else case.h + 1)
    return f" (the gradient of Theta{1 + (j >= split)}[{row}, {column}])"


def gradient_blocks(case, answer, right):
    """Which blocks of the gradient are off: Theta1's or Theta2's, bias column or the rest."""
    split = case.h * (case.n + 1)
    blocks = []
    for label, a, r, columns in (("Theta1", answer[:split], right[:split], case.n + 1),
                                 ("Theta2", answer[split:], right[split:], case.h + 1)):
        a, r = a.reshape(-1, columns), r.reshape(-1, columns)
        for part, s in (("bias column", np.s_[:, :1]), ("other columns", np.s_[:, 1:])):
            blocks.append(f"{label}'s {part} " + ("right" if np.allclose(
                a[s], r[s], rtol=1e-7, atol=1e-12) else "off"))
    return "  By block: " + ", ".join(blocks) + "."


def raised(error, name, path, case, reference, tracebacks):
    """A function that raised: its line in the learner's file, the error, the shapes on that
    line against the article's (as rows and as the article's columns), and the operator where
    the shapes fit but it does not; the whole traceback kept for --traceback."""
    tracebacks.append("".join(traceback.format_exception(type(error), error,
                                                         error.__traceback__)))
    tb, at = error.__traceback__, None
    while tb is not None:
        if os.path.abspath(tb.tb_frame.f_code.co_filename) == os.path.abspath(path):
            at = tb
        tb = tb.tb_next
    message = f"{type(error).__name__}: {error}".splitlines()[0]
    helper = helper_missing(error, reference)
    if at is None:
        return f"it raised {message}" + (f"\n  {helper}" if helper else "")
    import linecache
    linecache.checkcache(path)                  # the file as it is now, edited or not
    line = linecache.getline(path, at.tb_lineno).strip()
    where = f"it raised an error at {os.path.basename(path)}, line {at.tb_lineno}: {message}\n" \
            f"    {line}"
    if helper:                                  # the shapes there have nothing to do with it
        return f"{where}\n  {helper}"
    words = list(dict.fromkeys("".join(c if c.isalnum() or c == "_" else " " for c in line)
                               .split()))                 # the names on that line, in order
    local = at.tb_frame.f_locals
    arrays = [(word, np.shape(local[word])) for word in words
              if word in local and isinstance(local[word], (np.ndarray, list, tuple))]
    found = [f"{word} {shape}" for word, shape in arrays]
    article = []
    for word in (word for word in words if word in SHAPES):
        form, shape = SHAPES[word][0], SHAPES[word][1](case)
        article.append(f"{word} {form} = {shape}" + (f" (column {shape + (1,)})"
                                                     if len(shape) == 1 else ""))
    return (f"{where}\n  On {given_to(name, case)}"
            + (f", that line's arrays: {', '.join(found)}" if found else "")
            + (f"; the article's shapes, for one example as a row (as the article's column), "
               f"m rows of them for all: {', '.join(article)}" if article else "") + "."
            + operator_hint(message, line, arrays))


def helper_missing(error, reference):
    """For a NameError on one of ann.py's own helpers: what it is and what to do, else ""."""
    if not isinstance(error, NameError):
        return ""
    missing = getattr(error, "name", None) or (str(error).split("'") + ["", ""])[1]
    helpers = reference["g"].__globals__
    if missing in NAMES or getattr(helpers.get(missing), "__globals__", None) is not helpers:
        return ""                               # not a function defined in ann.py
    return (f"{missing} is one of ann.py's helpers, not one of the six, so your file does not "
            f"have it: write what it does inside the function with numpy, or write {missing} "
            f"in your file too, above the function (ann.py's is at line "
            f"{inspect.getsourcelines(helpers[missing])[1]} of ann.py).")


def operator_hint(message, line, arrays):
    """Where the shapes fit but the operator does not: Octave's * for a matrix product, or
    @ and .T on 1-D vectors. arrays: (name, shape) of the line's arrays."""
    matrices = [(w, s) for w, s in arrays if len(s) == 2]
    if "broadcast" in message and "*" in line.replace("**", ""):
        for (a, sa), (b, sb) in zip(matrices, matrices[1:]):
            if sa[1] == sb[0] and sa != sb:
                return (f"\n  The shapes fit a matrix product, but numpy's * multiplies entry "
                        f"by entry: Octave's {a} * {b} (the article's product) is numpy's "
                        f"{a} @ {b}.")
    vectors = [w for w, s in arrays if len(s) == 1]
    product = re.search(r"(\w+)(?:\.T)?\s*@\s*(\w+)\.T", line)
    if product and vectors:
        pair = product.groups()
        return (f"\n  On a 1-D vector .T changes nothing, and @ of two 1-D vectors is a dot "
                f"product, one number: the outer product {pair[0]} {pair[1]}^T is "
                f"np.outer({pair[0]}, {pair[1]}), or make them columns first "
                f"({pair[0]}.reshape(-1, 1)).")
    return ""
