"""What a wrong answer is told: the exercise's check cases, the learner's answers compared with
ann.py's, and each wrong one explained.

A wrong answer in ann.py's form is shown against the expected numbers, with the direction they
point to (m times too large, the sign flipped, only Theta1's part off); one in another form gets
the form expected, in words; one that is right once given the labels flat is told to ravel them.
A function that raises gets its line in the learner's file, the shapes there against the
article's, and what the line does wrong where that shows: the operator where the shapes fit a
product but * does not, math's functions given an array, an array made transposed. The classic
mistakes themselves are named by the exercise, from companions/catalogue.py.
"""
import ast
import inspect
import linecache
import os
import re
import traceback
from collections import namedtuple

import numpy as np

import ann
from companions import catalogue


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


def unnamed(name, answers, expected, cases, hint=""):
    """A wrong answer that is no classic mistake: "other numbers" only where numbers came back
    in ann.py's form, with the direction those numbers show (or the hint given, if any);
    otherwise the form expected."""
    forms = [normalized(name, a) for a in answers]
    numbers = all(form is not None and (len(form) == 2 if name == "reshape" else True) and
                  all(np.shape(x) == np.shape(y) for x, y in zip(
                      form if name == "reshape" else [form],
                      normalized(name, e) if name == "reshape" else [normalized(name, e)]))
                  for form, e in zip(forms, expected))
    if not numbers:
        return (f"its answer is not in the form of ann.py's, {FORMS[name]}.\n"
                + (f"  {hint}\n" if hint else "") + where_it_differs(name, answers, expected,
                                                                     cases))
    hint = hint or direction(name, answers, expected, cases)
    return ("it gives other numbers than ann.py's." + (f"\n  {hint}" if hint else "") + "\n"
            + where_it_differs(name, answers, expected, cases))


RATIOS = ((lambda c: c.m, "m = {m} times ann.py's: is a division by m missing?"),
          (lambda c: 1 / c.m, "ann.py's divided by m = {m} once more: is m divided twice?"),
          (lambda c: 2, "twice ann.py's: a 2 too few in a denominator?"),
          (lambda c: 0.5, "half of ann.py's: a 2 too many in a denominator?"),
          (lambda c: 1 / c.K, "ann.py's divided by K = {K}: a mean over the classes as well?"),
          (lambda c: -1, "ann.py's with the sign flipped"))


def direction(name, answers, expected, cases):
    """What the numbers of a wrong cost or gradient point to, in a sentence, or ""."""
    if name not in ("cost_function", "gradient"):
        return ""
    agree = [same(name, a, e) for a, e in zip(answers, expected)]
    for wrong, sentence in catalogue.directions(name, cases, arguments):
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


TRANSPOSED_ORDER = {   # a classic mistake written with .T in place of order='F': what to change
    "reshape-order-f": "a reshape to (n + 1, h) and then .T fills Theta1 column by column, "
    "Octave's order, as order='F' would; theta holds Theta1 row by row, numpy's own order: "
    "theta[:h * (n + 1)].reshape(h, n + 1), with no .T after it (Theta2 likewise)",
    "gradient-order-f": "grad1.T.ravel() unrolls grad1 column by column, Octave's order, as "
    "ravel('F') would; theta holds the weights row by row: np.concatenate((grad1.ravel(), "
    "grad2.ravel())), with no .T before ravel"}


def what_to_change(key, function):
    """The classic mistake `key`'s advice, for the learner's function that makes it: where a
    column-major order comes from a .T, and not from order='F', the advice says so."""
    try:
        source = inspect.getsource(function)
    except (OSError, TypeError):
        source = ""
    if key in TRANSPOSED_ORDER and ".T" in source and not re.search(r"order|['\"]F['\"]",
                                                                    source):
        return TRANSPOSED_ORDER[key]
    return catalogue.CATALOGUE[key].advice


def flat_labels(name, function, cases):
    """For a cost or gradient that gives ann.py's answers once it is given the labels flat,
    y (m,), in place of the article's column (m, 1): what to do, else ""."""
    if name not in ("cost_function", "gradient"):
        return ""
    try:
        with catalogue.quiet():
            right = all(same(name, function(*[np.copy(value) for value in arguments(
                name, case._replace(y=case.y.ravel()))]), getattr(ann, name)(
                *arguments(name, case))) for case in cases)
    except Exception:                   # written for the column, or wrong anyway
        return ""
    return ("It gives ann.py's answer once the labels y are flat, shape (m,): they come as the "
            "article has them, a column (m, 1), and indexing with a column keeps its second "
            "dimension: np.eye(K)[y] is then (m, 1, K), not the one-hot Y (m, K). Ravel them "
            "first: np.eye(K)[y.ravel()], or y = y.ravel() at the top." if right else "")


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


def last_in_file(error, path):
    """Where in the file at path the error was raised last: (line number, the line as the file
    is now, the names there: the function's locals over the file's globals), or None if it was
    not raised there."""
    tb, at = error.__traceback__, None
    while tb is not None:
        if os.path.abspath(tb.tb_frame.f_code.co_filename) == os.path.abspath(path):
            at = tb
        tb = tb.tb_next
    if at is None:
        return None
    linecache.checkcache(path)                  # the file as it is now, edited or not
    return (at.tb_lineno, linecache.getline(path, at.tb_lineno).strip(),
            {**at.tb_frame.f_globals, **at.tb_frame.f_locals})


def raised(error, name, path, case, tracebacks, hint=""):
    """A function that raised: its line in the learner's file, the error, the shapes on that
    line against the article's, and what the line's operators or functions do with them; or,
    given a hint that explains it all (flat_labels'), the hint in place of the shapes. The whole
    traceback is kept for --traceback."""
    tracebacks.append("".join(traceback.format_exception(type(error), error,
                                                         error.__traceback__)))
    at = last_in_file(error, path)
    message = f"{type(error).__name__}: {error}".splitlines()[0]
    hint = helper_missing(error) or hint
    if at is None:
        return f"it raised {message}" + (f"\n  {hint}" if hint else "")
    number, line, names = at
    where = f"it raised an error at {os.path.basename(path)}, line {number}: {message}\n" \
            f"    {line}"
    if hint:                                    # the shapes there have nothing to do with it
        return f"{where}\n  {hint}"
    words = list(dict.fromkeys(re.findall(r"\w+", line)))        # the names on that line, in order
    arrays = [(word, np.shape(names[word])) for word in words if word in names and isinstance(
        names[word], (np.ndarray, list, tuple)) and np.ndim(names[word]) > 0]   # no scalars
    found = [f"{word} {shape}" for word, shape in arrays]
    return (f"{where}\n  On {given_to(name, case)}"
            + (f", that line's arrays: {', '.join(found)}" if found else "")
            + article_shapes(words, case) + "."
            + (math_on_an_array(error, line, names) or operator_hint(message, line, names)
               or transposed(message, arrays, case)))


def article_shapes(words, case):
    """The article's shapes of the names among words: first the arrays a function is given or
    makes whole, then those of one example, a row here and a column in the article."""
    whole = [f"{word} {SHAPES[word][0]} = {SHAPES[word][1](case)}" for word in words
             if word in SHAPES and word not in PER_EXAMPLE]
    one = [f"{word} {SHAPES[word][0]} = {SHAPES[word][1](case)} (column "
           f"{SHAPES[word][1](case) + (1,)})" for word in words if word in PER_EXAMPLE]
    parts = ([", ".join(whole)] if whole else []) + (
        [f"for one example as a row (as the article's column), m rows of them for all: "
         f"{', '.join(one)}"] if one else [])
    return f"; the article's shapes: {'; '.join(parts)}" if parts else ""


def helper_missing(error):
    """For a NameError on one of ann.py's own helpers: what it is and what to do, else ""."""
    if not isinstance(error, NameError):
        return ""
    missing = getattr(error, "name", None) or (str(error).split("'") + ["", ""])[1]
    helper = getattr(ann, missing, None)
    if missing in catalogue.NAMES or not inspect.isfunction(helper) or \
            helper.__module__ != ann.__name__:
        return ""                               # not a function defined in ann.py
    return (f"{missing} is one of ann.py's helpers, not one of the six, so your file does not "
            f"have it: write what it does inside the function with numpy, or write {missing} "
            f"in your file too, above the function (ann.py's is at line "
            f"{inspect.getsourcelines(helper)[1]} of ann.py).")


def math_on_an_array(error, line, names):
    """For a TypeError where the line hands an array to one of math's functions, which take a
    single number: numpy's function of that name, else ""."""
    if not isinstance(error, TypeError):
        return ""
    for module, function in re.findall(r"(?<![\w.])(?:(\w+)\.)?(\w+)\s*\(", line):
        called = getattr(names.get(module), function, None) if module else names.get(function)
        if getattr(called, "__module__", None) == "math" and hasattr(np, function):
            written = f"{module}.{function}" if module else function
            return (f"\n  {written} is the math module's, which takes one number, not an array: "
                    f"numpy's np.{function} takes an array and works on each entry. Write "
                    f"np.{function} in place of {written}.")
    return ""


def operator_hint(message, line, names):
    """Where the shapes fit but the operator does not: Octave's * for a matrix product (its
    operands seen with their .T and slices), or @ and .T on 1-D vectors. names: the line's."""
    try:
        tree = ast.parse(line.rstrip(":"))
    except SyntaxError:                         # a line of a longer statement
        tree = None
    for node in ast.walk(tree) if tree and "broadcast" in message else ():
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
            a, b = shape_of(node.left, names), shape_of(node.right, names)
            if len(a) == len(b) == 2 and a[1] == b[0] and a != b and not fits(a, b):
                left, right = ast.unparse(node.left), ast.unparse(node.right)
                return (f"\n  The shapes fit a matrix product, but numpy's * multiplies entry "
                        f"by entry: Octave's {left} * {right} (the article's product) is "
                        f"numpy's {left} @ {right}.")
    vectors = [word for word, value in names.items() if word in re.findall(r"\w+", line)
               and isinstance(value, np.ndarray) and value.ndim == 1]
    product = re.search(r"(\w+)(?:\.T)?\s*@\s*(\w+)\.T", line)
    if product and vectors:
        pair = product.groups()
        return (f"\n  On a 1-D vector .T changes nothing, and @ of two 1-D vectors is a dot "
                f"product, one number: the outer product {pair[0]} {pair[1]}^T is "
                f"np.outer({pair[0]}, {pair[1]}), or make them columns first "
                f"({pair[0]}.reshape(-1, 1)).")
    return ""


def shape_of(node, names):
    """The shape of an operand made of names, slices and .T alone, or () for any other."""
    simple = all(isinstance(part, (ast.Name, ast.Subscript, ast.Slice, ast.Tuple, ast.Constant,
                                   ast.Load, ast.UnaryOp, ast.USub, ast.BinOp, ast.Add, ast.Sub))
                 or isinstance(part, ast.Attribute) and part.attr == "T" for part in ast.walk(node))
    try:
        return np.shape(eval(compile(ast.Expression(node), "<line>", "eval"),
                             {"__builtins__": {}}, dict(names))) if simple else ()
    except Exception:
        return ()


def fits(a, b):
    """Do shapes a and b broadcast, as * needs?"""
    try:
        np.broadcast_shapes(a, b)
        return True
    except ValueError:
        return False


def transposed(message, arrays, case):
    """Where an array on the line has the transposed shape of one of the article's there: that
    it is made transposed, else "". arrays: (name, shape) of the line's arrays."""
    if "broadcast" not in message:
        return ""
    right = {word: shape for word, shape in arrays if word in SHAPES and
             word not in PER_EXAMPLE and shape == SHAPES[word][1](case) and len(shape) == 2}
    for word, shape in arrays:
        for other, theirs in right.items():
            if word != other and shape == theirs[::-1] and shape != theirs:
                why = (" (each weight's gradient sits where that weight does)" if "grad" in
                       word.lower() or word.startswith("D") else "")
                return (f"\n  {word} {shape} has {other}'s shape {theirs} transposed: see where "
                        f"{word} is made, and make it come out {theirs} like {other}{why}.")
    return ""


SHAPES = {   # the article's names and their shapes: a1 ... delta2 for one example
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
PER_EXAMPLE = ("a1", "z2", "a2", "z3", "a3", "delta3", "delta2")
