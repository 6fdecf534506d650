"""The exercise: a learner writes the article's six functions, is told what is wrong, trains them.

The learner writes the article's six functions, is told precisely what is wrong, then watches
their own network learn.

`python ann.py --exercise my_ann.py` writes my_ann.py from ann.py's own source: the six
functions' signatures and docstrings, each body raising NotImplementedError. `python my_ann.py`
then checks them in the article's order, each alone (the other five ann.py's own meanwhile, so
that one mistake is not blamed on the functions that call it), on small networks unlike the
galaxies, against what ann.py's own functions give there. A wrong answer that matches a classic
mistake on every check is named, with what to change; any other is shown against the expected
numbers. A function that raises gets its line and the shapes there. Once all six are right, the
learner's network trains as ann.py's does.

The companions never import ann.py (run as a script, it would be loaded a second time): ann.py
gives its six functions as arguments, in the article's order.
"""
import ast
import inspect
import os
import sys
import textwrap
import traceback
import warnings
from collections import namedtuple

import numpy as np

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
          f"python {path}")
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


# ==== The classic mistakes: each a small edit of the article's functions =========================

def forward(theta, n, h, K, X, edit=None):
    """Theta1, Theta2, a1, z2, a2 and z3 for all m examples (rows of X), as the article has them
    (edit: "Theta2 first" and "column-major" are mistakes of reshape)."""
    split, size2 = h * (n + 1), K * (h + 1)
    if edit == "Theta2 first":
        Theta2, Theta1 = theta[:size2].reshape(K, h + 1), theta[size2:].reshape(h, n + 1)
    else:
        order = "F" if edit == "column-major" else "C"
        Theta1 = theta[:split].reshape((h, n + 1), order=order)
        Theta2 = theta[split:].reshape((K, h + 1), order=order)
    a1 = np.hstack((np.ones((len(X), 1)), X))
    z2 = a1 @ Theta1.T
    a2 = np.hstack((np.ones((len(X), 1)), sigmoid(z2)))
    return Theta1, Theta2, a1, z2, a2, a2 @ Theta2.T


def sigmoid(x, edit=None):
    return 1 / (1 + np.exp(x if edit == "e^x" else -x))


def outputs_and_labels(z3, y, K, edit):
    """a3 (a softmax where that is the mistake) and the one-hot labels Y, where the labels are
    counted from 1 as Octave's are, either from y - 1 (class 0 lands in the last column) or
    matched against 1..K (class 0 gets no 1 at all)."""
    a3 = (np.exp(z3) / np.exp(z3).sum(axis=1, keepdims=True) if edit == "softmax" else
          sigmoid(z3))
    labels = np.ravel(y).astype(int)
    if edit == "1..K":                                  # y == 1, 2, ..., K: class 0 gets no 1
        return a3, (labels[:, None] == np.arange(1, K + 1)).astype(float)
    return a3, np.eye(K)[labels - (edit == "from 1")]


def edited(name, edit):
    """The article's function `name` with the mistake `edit` made (None: none), vectorized."""
    def predict(Theta1, Theta2, X):
        a3 = sigmoid(np.hstack((np.ones((len(X), 1)), sigmoid(
            np.hstack((np.ones((len(X), 1)), X)) @ Theta1.T))) @ Theta2.T)
        return np.argmax(a3, axis=0 if edit == "axis 0" else 1) + (edit == "from 1")

    def cost_function(theta, n, h, K, X, y, lmbda):
        Theta1, Theta2, a1, z2, a2, z3 = forward(theta, n, h, K, X)
        a3, Y = outputs_and_labels(z3, y, K, edit)
        terms = -Y * np.log(a3)
        if edit not in ("softmax", "right class only"):
            terms -= (1 - Y) * np.log(1 - a3)
        m = len(X)
        J = terms.sum() / {"no m": 1, "mean": m * K}.get(edit, m)
        first = 0 if edit == "bias" else 1
        squares = np.sum(Theta1[:, first:] ** 2) + np.sum(Theta2[:, first:] ** 2)
        return J + lmbda / (m if edit == "lambda/m" else 2 * m) * squares

    def gradient(theta, n, h, K, X, y, lmbda):
        Theta1, Theta2, a1, z2, a2, z3 = forward(theta, n, h, K, X)
        a3, Y = outputs_and_labels(z3, y, K, edit)
        delta3 = Y - a3 if edit == "delta3 sign" else a3 - Y
        at = sigmoid(z2) if edit == "g' of a2" else z2
        delta2 = (delta3 @ (Theta2[:, :-1] if edit == "bias column" else Theta2[:, 1:])) * (
            sigmoid(at) * (1 - sigmoid(at)))
        m = len(X)
        grads = [delta2.T @ a1 / (1 if edit == "no m" else m),
                 delta3.T @ a2 / (1 if edit == "no m" else m)]
        first = 0 if edit == "bias" else 1
        for grad, Theta in zip(grads, (Theta1, Theta2)):
            grad[:, first:] += lmbda / (2 * m if edit == "lambda/2m" else m) * Theta[:, first:]
        order = "F" if edit == "column-major" else "C"
        return np.concatenate([grad.ravel(order) for grad in grads])

    return {"g": lambda x: sigmoid(x, edit),
            "grad_g": lambda x: x * (1 - x) if edit == "x(1 - x)" else
            sigmoid(x) * (1 - sigmoid(x)),
            "predict": predict,
            "reshape": lambda theta, n, h, K: forward(theta, n, h, K, np.zeros((0, n)), edit)[:2],
            "cost_function": cost_function, "gradient": gradient}[name]


LABELS_FROM_1 = ("labels counted from 1", "the classes are 0, 1, 2, ... as Python counts: the "
                 "one-hot label of class k has its 1 in column k, np.eye(K)[y] (y - 1, or "
                 "labels 1..K, are Octave's: class 0 loses its 1 or lands in the last column)")
SOFTMAX = ("a softmax in place of independent sigmoids", "the article's outputs are K "
           "independent sigmoids, a3 = g(z3), each with its own logistic cost -y log h - "
           "(1 - y) log(1 - h), summed over the classes; a softmax is another network's")
BIAS = "the bias column (the first of Theta1 and of Theta2) is left out of the regularization"
MISTAKES = {   # (function, edit): (the mistake's name, what to change)
    ("g", "e^x"): ("e^x in place of e^-x", "g(x) = 1 / (1 + e^-x): np.exp(-x), so that g "
                   "rises from 0 to 1 (yours falls: g(6) is near 0)"),
    ("grad_g", "x(1 - x)"): ("the derivative taken of the wrong thing", "g'(x) = g(x) (1 - g(x)) "
                             "takes g of x first; x (1 - x) is g' only where x is already an "
                             "activation g(z)"),
    ("predict", "from 1"): LABELS_FROM_1[:1] + ("the classes are 0, 1, 2, ... as Python counts, "
                                                "and np.argmax gives them as they are: no + 1",),
    ("predict", "axis 0"): ("the largest output over the examples", "each example's class is the "
                            "index of the largest of its own K outputs: np.argmax(a3, axis=1), "
                            "the examples being rows"),
    ("reshape", "column-major"): ("Octave's column-major order", "theta holds Theta1 row by row, "
                                  "numpy's own order: theta[:h * (n + 1)].reshape(h, n + 1), "
                                  "without order='F'"),
    ("reshape", "Theta2 first"): ("Theta2 taken from the start of theta", "theta holds Theta1's "
                                  "h (n + 1) weights first, then Theta2's K (h + 1)"),
    ("cost_function", "bias"): ("the bias regularized", BIAS + ": Theta1[:, 1:] and "
                                "Theta2[:, 1:]"),
    ("cost_function", "no m"): ("the division by m forgotten", "J averages the cross-entropy "
                                "over the m examples: divide its sum by m"),
    ("cost_function", "lambda/m"): ("lambda / m in place of lambda / 2m", "the penalty is "
                                    "lambda / (2 m) times the sum of the squares (its "
                                    "derivative is then (lambda / m) Theta)"),
    ("cost_function", "from 1"): LABELS_FROM_1,
    ("cost_function", "1..K"): LABELS_FROM_1,
    ("cost_function", "softmax"): SOFTMAX,
    ("cost_function", "right class only"): ("the (1 - y) log(1 - h) term left out", "each output "
                                            "has two terms, -y log h and -(1 - y) log(1 - h): "
                                            "the second pushes the wrong classes' outputs down"),
    ("cost_function", "mean"): ("the mean over the classes as well", "J sums over the K classes "
                                "and averages over the m examples only: np.sum(...) / m, not "
                                "np.mean of the (m, K) array, which divides by m K"),
    ("gradient", "bias"): ("the bias regularized", BIAS + ": add (lambda / m) Theta to every "
                           "column but the first"),
    ("gradient", "no m"): ("the division by m forgotten", "divide the accumulated Delta1 and "
                           "Delta2 by m, then add the regularization"),
    ("gradient", "lambda/2m"): ("lambda / 2m in place of lambda / m", "the derivative of "
                                "(lambda / 2m) Theta^2 is (lambda / m) Theta: the 2 goes"),
    ("gradient", "delta3 sign"): ("the sign of delta3 flipped", "the output error is delta3 = "
                                  "a3 - y, what came out less what should have: y - a3 turns "
                                  "the gradient around, and training would climb the cost"),
    ("gradient", "g' of a2"): ("g' taken of a2 instead of z2", "delta2 multiplies by g'(z2), "
                               "at the hidden layer's input z2 = Theta1 a1; grad_g(a2) takes it "
                               "at its output (a2 (1 - a2), without grad_g, would be right)"),
    ("gradient", "bias column"): ("Theta2's bias column kept in delta2", "delta2 = Theta2[:, 1:]^T "
                                  "delta3 * g'(z2): leave out Theta2's first column, the bias "
                                  "unit's: a constant 1 has no error to pass back"),
    ("gradient", "from 1"): LABELS_FROM_1,
    ("gradient", "1..K"): LABELS_FROM_1,
    ("gradient", "softmax"): SOFTMAX,
    ("gradient", "column-major"): ("the gradient unrolled column-major", "unroll it as theta is, "
                                   "row by row: np.concatenate((grad1.ravel(), grad2.ravel())), "
                                   "without ravel('F')"),
}


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
Network = namedtuple("Network", "cost_function gradient predict title")


def check(learner, article, show_traceback=False):
    """Check the learner's six functions (learner: their file's namespace) against ann.py's own
    (article, in the article's order), print the report, and return the learner's Network to
    train, or None while any function is not right."""
    path = learner.get("__file__") or "your file"
    file = os.path.basename(path)
    print(f"Checking the article's six functions in {file} against ann.py's, one by one (the "
          "other five ann.py's own meanwhile), on small networks unlike the galaxies:")
    reference = dict(zip(NAMES, article))
    verdicts = {name: check_one(name, learner, reference, path, show_traceback)
                for name in NAMES}
    for name, (state, summary, _) in verdicts.items():
        print(f"  {name:14s} {state}{': ' + summary if summary else ''}")
    first = next((name for name in NAMES if verdicts[name][0] != "right"), None)
    if first is None:
        print("All six are right. Now your network trains on the galaxies, with fmin_cg on your "
              "cost_function and gradient, as python ann.py trains its own:")
        return Network(lambda *args: float(np.ravel(learner["cost_function"](*args))[0]),
                       learner["gradient"],
                       lambda *args: np.ravel(learner["predict"](*args)).astype(int),
                       f"{file}: your network, training")
    state, summary, details = verdicts[first]
    print(f"\nStart with {first} (article section {SECTIONS[first]}): "
          + (f"it is not written yet. Write it in place of its raise NotImplementedError, then "
             f"run python {file} again." if state == "not written yet" else details))
    return None


def check_one(name, learner, reference, path, show_traceback):
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
                    error, name, path, case, show_traceback)
            changed = [parameter for parameter, before, after in zip(
                inspect.signature(reference[name]).parameters, given, copies)
                if not np.array_equal(before, after, equal_nan=True)]
            if changed:
                return "wrong", f"it changes its input {changed[0]}", (
                    f"{name} changes {changed[0]}, which it is given: fmin_cg and the other "
                    f"functions need it as it was. Work on a copy ({changed[0]}.copy()) or make "
                    "new arrays.")
        if any(answer is None for answer in answers):
            return "wrong", "it returns None", (f"{name} returns None: is its return statement "
                                                "missing?")
        expected = [reference[name](*arguments(name, case)) for case in cases]
        if all(same(name, answer, right) for answer, right in zip(answers, expected)):
            return "right", "", ""
        for (function_name, edit), (mistake, advice) in MISTAKES.items():
            if function_name == name and all(same(name, answer, edited(name, edit)(
                    *arguments(name, case))) for answer, case in zip(answers, cases)):
                return "wrong", mistake, (f"{mistake}, a classic mistake.\n  What to change: "
                                          f"{advice}.\n"
                                          + where_it_differs(name, answers, expected, cases))
        return "wrong", "", ("it gives other numbers than ann.py's.\n"
                             + where_it_differs(name, answers, expected, cases))
    finally:
        for other, value in others.items():
            if value is None:
                learner.pop(other, None)
            else:
                learner[other] = value


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


def where_it_differs(name, answers, expected, cases):
    """The first check case where the answer differs, in numbers, and a sanity number."""
    case, answer, right = next((c, a, e) for c, a, e in zip(cases, answers, expected)
                               if not same(name, a, e))
    network = (f"a {case.n} - {case.h} - {case.K} network, {case.m} examples, lambda "
               f"{case.lmbda:g}" if name in ("cost_function", "gradient") else
               f"a {case.n} - {case.h} - {case.K} network, {case.m} examples")
    given = {"g": "x from -6 to 6", "grad_g": "x from -6 to 6"}.get(name, network)
    answer, right, returned = normalized(name, answer), normalized(name, right), answer
    if answer is None or name == "reshape" and len(answer) != 2:
        return (f"  On {given}: it returned {type(returned).__name__} "
                + (f"of {len(answer)} arrays, not two, Theta1 and Theta2." if answer else
                   "that is not numbers."))
    parts = list(answer) if name == "reshape" else [answer]
    for part, (label, expected_part) in zip(parts, (zip(("Theta1", "Theta2"), right)
                                                    if name == "reshape" else [(name, right)])):
        if np.shape(part) != np.shape(expected_part):
            return (f"  On {given}: {label} came out with shape {np.shape(part)}, expected "
                    f"{np.shape(expected_part)}.")
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


def raised(error, name, path, case, show_traceback):
    """A function that raised: its line in the learner's file, the error, and the shapes on
    that line against the article's; the whole traceback only if asked for."""
    tb, at = error.__traceback__, None
    while tb is not None:
        if os.path.abspath(tb.tb_frame.f_code.co_filename) == os.path.abspath(path):
            at = tb
        tb = tb.tb_next
    message = f"{type(error).__name__}: {error}".splitlines()[0]
    if show_traceback:
        traceback.print_exception(type(error), error, error.__traceback__, file=sys.stdout)
    if at is None:
        return f"it raised {message}"
    import linecache
    linecache.checkcache(path)                  # the file as it is now, edited or not
    line = linecache.getline(path, at.tb_lineno).strip()
    words = list(dict.fromkeys("".join(c if c.isalnum() or c == "_" else " " for c in line)
                               .split()))                 # the names on that line, in order
    local = at.tb_frame.f_locals
    found = [f"{word} {np.shape(local[word])}" for word in words
             if word in local and isinstance(local[word], (np.ndarray, list, tuple))]
    article = [f"{word} {SHAPES[word][0]} = {SHAPES[word][1](case)}" for word in words
               if word in SHAPES]
    return (f"it raised an error at {os.path.basename(path)}, line {at.tb_lineno}: {message}\n"
            f"    {line}\n  On a {case.n} - {case.h} - {case.K} network of {case.m} examples"
            + (f", that line's arrays: {', '.join(found)}" if found else "")
            + (f"; the article's shapes (for one example; m rows of them for all): "
               f"{', '.join(article)}" if article else "") + "."
            + ("" if show_traceback else f"\n  (python {os.path.basename(path)} --traceback "
               "shows the whole traceback.)"))
