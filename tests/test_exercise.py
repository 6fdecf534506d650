"""The exercise (--exercise): the learner's file, the checks of their six functions, the named
mistakes, and their network trained. Each test's name says what must hold."""
import ast
import inspect
import os
import re
import shlex
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import ann
from companions import advice, breaking, catalogue, exercise
from conftest import main_in_process, posix_only, run_ann

ARTICLE = tuple(getattr(ann, name) for name in exercise.NAMES)     # ann.py's six, in order
# Right answers in two styles besides ann.py's own, as a learner writes them: the examples as
# rows, all at once; and the article's column vectors (one example at a time in cost_function
# and gradient, the examples as columns in predict). Each catalogued mistake is then written into
# them as a learner would slip, as literal source.
STYLES = {"rows": """
def g(x):
    return 1 / (1 + np.exp(-x))

def grad_g(x):
    return g(x) * (1 - g(x))

def predict(Theta1, Theta2, X):
    a1 = np.column_stack((np.ones(len(X)), X))
    a2 = np.column_stack((np.ones(len(X)), g(a1 @ Theta1.T)))
    a3 = g(a2 @ Theta2.T)
    return np.argmax(a3, axis=1)

def reshape(theta, input_layer_size, hidden_layer_size, num_labels):
    split = hidden_layer_size * (input_layer_size + 1)
    Theta1 = theta[:split].reshape(hidden_layer_size, input_layer_size + 1)
    Theta2 = theta[split:].reshape(num_labels, hidden_layer_size + 1)
    return Theta1, Theta2

def cost_function(theta, input_layer_size, hidden_layer_size, num_labels, X, y, lmbda):
    Theta1, Theta2 = reshape(theta, input_layer_size, hidden_layer_size, num_labels)
    m = len(y)
    a1 = np.column_stack((np.ones(m), X))
    a2 = np.column_stack((np.ones(m), g(a1 @ Theta1.T)))
    h = g(a2 @ Theta2.T)
    Y = np.eye(num_labels)[y.ravel()]
    J = np.sum(-Y * np.log(h) - (1 - Y) * np.log(1 - h)) / m
    J += lmbda / (2 * m) * (np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2))
    return J

def gradient(theta, input_layer_size, hidden_layer_size, num_labels, X, y, lmbda):
    Theta1, Theta2 = reshape(theta, input_layer_size, hidden_layer_size, num_labels)
    m = len(y)
    Y = np.eye(num_labels)[y.ravel()]
    a1 = np.column_stack((np.ones(m), X))
    z2 = a1 @ Theta1.T
    a2 = np.column_stack((np.ones(m), g(z2)))
    a3 = g(a2 @ Theta2.T)
    delta3 = a3 - Y
    delta2 = delta3 @ Theta2[:, 1:] * grad_g(z2)
    Delta1 = delta2.T @ a1
    Delta2 = delta3.T @ a2
    grad1 = Delta1 / m
    grad2 = Delta2 / m
    grad1[:, 1:] += lmbda / m * Theta1[:, 1:]
    grad2[:, 1:] += lmbda / m * Theta2[:, 1:]
    return np.concatenate((grad1.ravel(), grad2.ravel()))
""", "columns": """
def g(x):
    return 1 / (1 + np.exp(-x))

def grad_g(x):
    return g(x) * (1 - g(x))

def predict(Theta1, Theta2, X):
    a1 = np.vstack((np.ones(len(X)), X.T))
    a2 = np.vstack((np.ones(len(X)), g(Theta1 @ a1)))
    a3 = g(Theta2 @ a2)
    return np.argmax(a3, axis=0)

def reshape(theta, input_layer_size, hidden_layer_size, num_labels):
    n, h, K = input_layer_size, hidden_layer_size, num_labels
    Theta1 = np.reshape(theta[0:h * (n + 1)], (h, n + 1))
    Theta2 = np.reshape(theta[h * (n + 1):], (K, h + 1))
    return Theta1, Theta2

def cost_function(theta, input_layer_size, hidden_layer_size, num_labels, X, y, lmbda):
    Theta1, Theta2 = reshape(theta, input_layer_size, hidden_layer_size, num_labels)
    m = len(y)
    J = 0
    for i in range(m):
        a1 = np.vstack(([[1.0]], X[i].reshape(-1, 1)))
        a2 = np.vstack(([[1.0]], g(Theta1 @ a1)))
        h = g(Theta2 @ a2)
        yk = np.zeros((num_labels, 1))
        yk[y[i, 0]] = 1
        J += np.sum(-yk * np.log(h) - (1 - yk) * np.log(1 - h))
    J = J / m
    J += lmbda / (2 * m) * (np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2))
    return J

def gradient(theta, input_layer_size, hidden_layer_size, num_labels, X, y, lmbda):
    Theta1, Theta2 = reshape(theta, input_layer_size, hidden_layer_size, num_labels)
    m = len(y)
    Delta1 = np.zeros(Theta1.shape)
    Delta2 = np.zeros(Theta2.shape)
    for i in range(m):
        a1 = np.vstack(([[1.0]], X[i].reshape(-1, 1)))
        z2 = Theta1 @ a1
        a2 = np.vstack(([[1.0]], g(z2)))
        a3 = g(Theta2 @ a2)
        yk = np.zeros((num_labels, 1))
        yk[y[i, 0]] = 1
        delta3 = a3 - yk
        delta2 = Theta2[:, 1:].T @ delta3 * grad_g(z2)
        Delta1 += delta2 @ a1.T
        Delta2 += delta3 @ a2.T
    grad1 = Delta1 / m
    grad2 = Delta2 / m
    grad1[:, 1:] += lmbda / m * Theta1[:, 1:]
    grad2[:, 1:] += lmbda / m * Theta2[:, 1:]
    return np.concatenate((grad1.ravel(), grad2.flatten()))
"""}
SOFTMAX_ROWS = ("h = g(a2 @ Theta2.T)", "z3 = a2 @ Theta2.T\n"
                "    h = np.exp(z3) / np.sum(np.exp(z3), axis=1, keepdims=True)")
# Each catalogued mistake, as the learner writes it in each style: (the right text, the slip)
# in their function, or one pair for both styles.
SLIPS = {
    "e-to-the-x": [("np.exp(-x)", "np.exp(x)")],
    "grad-g-of-x": [("g(x) * (1 - g(x))", "x * (1 - x)")],
    "predict-plus-1": {"rows": [("axis=1)", "axis=1) + 1")],
                       "columns": [("axis=0)", "axis=0) + 1")]},
    "argmax-axis-0": {"rows": [("axis=1)", "axis=0)")], "columns": [("axis=0)", "axis=1)")]},
    "reshape-order-f": {
        "rows": [("reshape(hidden_layer_size, input_layer_size + 1)",
                  "reshape((hidden_layer_size, input_layer_size + 1), order='F')"),
                 ("reshape(num_labels, hidden_layer_size + 1)",
                  "reshape((num_labels, hidden_layer_size + 1), order='F')")],
        "columns": [("(h, n + 1))", "(h, n + 1), order='F')"),
                    ("(K, h + 1))", "(K, h + 1), order='F')")]},
    "theta2-first": {
        "rows": [("split = hidden_layer_size * (input_layer_size + 1)",
                  "split = num_labels * (hidden_layer_size + 1)"),
                 ("theta[:split].reshape(hidden", "theta[split:].reshape(hidden"),
                 ("theta[split:].reshape(num", "theta[:split].reshape(num")],
        "columns": [("theta[0:h * (n + 1)]", "theta[K * (h + 1):]"),
                    ("theta[h * (n + 1):]", "theta[0:K * (h + 1)]")]},
    "cost-bias-regularized": [("np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2)",
                               "np.sum(Theta1 ** 2) + np.sum(Theta2 ** 2)")],
    "cost-no-m": {"rows": [("np.log(1 - h)) / m", "np.log(1 - h))")],
                  "columns": [("    J = J / m\n", "")]},
    "cost-lambda-m": [("lmbda / (2 * m)", "lmbda / m")],
    "cost-labels-from-1": {"rows": [("[y.ravel()]", "[y.ravel() - 1]")],
                           "columns": [("yk[y[i, 0]] = 1", "yk[y[i, 0] - 1] = 1")]},
    "cost-labels-1-to-K": {
        "rows": [("np.eye(num_labels)[y.ravel()]", "(y == np.arange(1, num_labels + 1)) * 1.0")],
        "columns": [("yk[y[i, 0]] = 1", "yk[np.arange(1, num_labels + 1) == y[i, 0]] = 1")]},
    "cost-softmax": {"rows": [SOFTMAX_ROWS, (" - (1 - Y) * np.log(1 - h)", "")],
                     "columns": [("h = g(Theta2 @ a2)",
                                  "h = np.exp(Theta2 @ a2) / np.sum(np.exp(Theta2 @ a2))"),
                                 (" - (1 - yk) * np.log(1 - h)", "")]},
    "cost-no-1-minus-y": {"rows": [(" - (1 - Y) * np.log(1 - h)", "")],
                          "columns": [(" - (1 - yk) * np.log(1 - h)", "")]},
    "cost-mean": {"rows": [("J = np.sum(", "J = np.mean("), (") / m\n", ")\n")],
                  "columns": [("J += np.sum(", "J += np.mean(")]},
    "gradient-bias-regularized": [("grad1[:, 1:] += lmbda / m * Theta1[:, 1:]",
                                   "grad1 += lmbda / m * Theta1"),
                                  ("grad2[:, 1:] += lmbda / m * Theta2[:, 1:]",
                                   "grad2 += lmbda / m * Theta2")],
    "gradient-no-m": [("grad1 = Delta1 / m", "grad1 = Delta1"),
                      ("grad2 = Delta2 / m", "grad2 = Delta2")],
    "gradient-lambda-2m": [("+= lmbda / m * Theta1", "+= lmbda / (2 * m) * Theta1"),
                           ("+= lmbda / m * Theta2", "+= lmbda / (2 * m) * Theta2")],
    "delta3-sign": {"rows": [("delta3 = a3 - Y", "delta3 = Y - a3")],
                    "columns": [("delta3 = a3 - yk", "delta3 = yk - a3")]},
    "grad-g-of-a2": {"rows": [("grad_g(z2)", "grad_g(a2[:, 1:])")],
                     "columns": [("grad_g(z2)", "grad_g(a2[1:])")]},
    "delta2-bias-column": {"rows": [("delta3 @ Theta2[:, 1:]", "delta3 @ Theta2[:, :-1]")],
                           "columns": [("Theta2[:, 1:].T @ delta3", "(Theta2.T @ delta3)[:-1]")]},
    "gradient-labels-from-1": {"rows": [("[y.ravel()]", "[y.ravel() - 1]")],
                               "columns": [("yk[y[i, 0]] = 1", "yk[y[i, 0] - 1] = 1")]},
    "gradient-labels-1-to-K": {
        "rows": [("np.eye(num_labels)[y.ravel()]", "(y == np.arange(1, num_labels + 1)) * 1.0")],
        "columns": [("yk[y[i, 0]] = 1", "yk[np.arange(1, num_labels + 1) == y[i, 0]] = 1")]},
    "gradient-softmax": {"rows": [("a3 = g(a2 @ Theta2.T)", "z3 = a2 @ Theta2.T\n    a3 = "
                                   "np.exp(z3) / np.sum(np.exp(z3), axis=1, keepdims=True)")],
                         "columns": [("a3 = g(Theta2 @ a2)",
                                      "a3 = np.exp(Theta2 @ a2) / np.sum(np.exp(Theta2 @ a2))")]},
    "gradient-order-f": {"rows": [(".ravel(), grad2.ravel()", ".ravel(order='F'), "
                                   "grad2.ravel(order='F')")],
                         "columns": [("grad1.ravel(), grad2.flatten()",
                                      "grad1.flatten('F'), grad2.flatten('F')")]},
}


def slipped(style, function, slips):
    """The learner's file in `style` with `slips` ((right text, slip) pairs) made in `function`
    alone; each right text must be there, so that the slip is the one meant."""
    source = STYLES[style]
    start = source.index(f"\ndef {function}(")
    end = source.find("\ndef ", start + 1)
    end = len(source) if end < 0 else end
    body = source[start:end]
    for right, slip in slips:
        assert right in body, (style, function, right)
        body = body.replace(right, slip)
    return source[:start] + body + source[end:]


@pytest.fixture
def blank(tmp_path, capsys):
    """The exercise file as `python ann.py --exercise` writes it (the command it prints, which
    depends on where the tests run from, is test_the_commands_given...'s claim)."""
    path = tmp_path / "my_ann.py"
    result = main_in_process(capsys, "--exercise", path)
    assert result.returncode == 0 and path.is_file(), result.stderr
    return path


def learner(path, body=None, **functions):
    """The namespace of the learner's file at path, once they have written body (source text)
    in it, or with the functions given in place of theirs."""
    if body is not None:
        path.write_text("import numpy as np\n" + body)
    namespace = {"__file__": str(path), "__name__": "learner"}
    exec(compile(path.read_text(), str(path), "exec"), namespace)
    namespace.update(functions)        # the file's globals(), as ann.main is given them
    return namespace


def verdicts(said):
    """The check's table: function name -> what it says of it."""
    return dict(re.findall(r"^  (\w+) +(right|wrong.*|not written yet)$", said, re.MULTILINE))


def report(capsys, namespace, *options):
    """What the checks print for the learner's namespace, and what they return."""
    network = exercise.check(namespace, *options)
    return capsys.readouterr().out, network


def test_the_file_holds_the_six_functions_signatures_and_docstrings_and_is_never_overwritten(
        blank, capsys):
    source = blank.read_text()
    tree = ast.parse(source)
    functions = [node for node in tree.body if isinstance(node, ast.FunctionDef)]
    assert [f.name for f in functions] == list(exercise.NAMES) and "import numpy as np" in source
    for node, reference in zip(functions, ARTICLE):
        assert ast.get_docstring(node) == inspect.getdoc(reference)
        assert ast.unparse(node.args) == ast.unparse(ast.parse(inspect.getsource(
            reference)).body[0].args)
        assert ast.unparse(node.body[1]) == (f"raise NotImplementedError('{node.name}: article "
                                             f"section {exercise.SECTIONS[node.name]}')")
    before = blank.read_bytes()
    again = main_in_process(capsys, "--exercise", blank)
    assert again.returncode == 2 and blank.read_bytes() == before
    assert again.stderr == f"ann.py: error: {blank} already exists: it is not touched (your " \
                           "work is kept); give another name\n"


def test_the_file_run_from_another_folder_says_all_six_are_not_written_yet(blank, tmp_path):
    (tmp_path / "elsewhere").mkdir()
    result = run_ann(cwd=tmp_path / "elsewhere", script=str(blank))
    assert result.returncode == 1 and result.stderr == ""
    assert list(verdicts(result.stdout).values()) == ["not written yet"] * 6
    assert "Start with g (article section 2): it is not written yet" in result.stdout


@pytest.mark.parametrize("style", list(STYLES))
def test_right_answers_in_another_style_are_accepted_and_the_learner_s_network_trains(
        blank, toy_csvs, tmp_path, capsys, style):
    namespace = learner(blank, STYLES[style])
    run = main_in_process(capsys, "--train", toy_csvs[0], "--test", toy_csvs[1], "--maxiter", 3,
                          "--no-plot", "--save", tmp_path / "f.png",
                          main=lambda argv: ann.main(argv, learner=namespace))
    assert run.returncode == 0, run.stdout + run.stderr
    assert list(verdicts(run.stdout).values()) == ["right"] * 6 and "All six" in run.stdout
    assert "iterations (your gradient)" in run.stdout and len(re.findall(
        r"^iter=", run.stdout, re.MULTILINE)) == 3 and "kept the weights of iteration" in run.stdout


def test_the_catalogue_s_wrong_functions_differ_from_ann_py_s_and_from_each_other():
    assert len(catalogue.CATALOGUE) >= 24
    cases = exercise.check_cases()
    for name, reference in zip(exercise.NAMES, ARTICLE):
        right = [reference(*exercise.arguments(name, case)) for case in cases]
        wrong = catalogue.wrong_answers(name, cases, exercise.arguments)
        assert wrong, name
        answers = [("ann.py's", right)] + list(wrong.items())
        for i, (key, answer) in enumerate(answers):
            for other, earlier in answers[:i]:
                assert not all(exercise.same(name, a, b) for a, b in zip(answer, earlier)), (
                    key, other)


def test_every_catalogued_mistake_has_a_slip_in_both_styles_and_a_line_of_ann_py_to_compare():
    assert set(SLIPS) == set(catalogue.CATALOGUE)
    for made in catalogue.CATALOGUE.values():
        function, line, text = breaking.line_in(made)
        assert text and inspect.getsourcelines(getattr(ann, function))[1] <= line


@pytest.mark.parametrize("style", list(STYLES))
@pytest.mark.parametrize("key", list(catalogue.CATALOGUE))
def test_each_classic_mistake_written_by_a_learner_is_named_with_what_to_change(
        blank, capsys, key, style):
    made = catalogue.CATALOGUE[key]
    slips = SLIPS[key] if isinstance(SLIPS[key], list) else SLIPS[key][style]
    said, network = report(capsys, learner(blank, slipped(style, made.function, slips)))
    assert network is None and f"  {made.function:14s} wrong: {made.title}\n" in said, said
    assert (f"Start with {made.function} (article section {exercise.SECTIONS[made.function]}): "
            f"{made.title}, a classic mistake.") in said
    assert f"What to change: {made.advice}." in said
    assert list(verdicts(said).values()).count("right") == 5


def test_a_function_that_raises_gets_its_line_and_the_shapes_there_without_a_traceback(
        blank, capsys):
    body = STYLES["columns"].replace("Theta2[:, 1:].T @ delta3", "Theta2.T @ delta3")
    line = 1 + body.splitlines().index("        delta2 = Theta2.T @ delta3 * grad_g(z2)") + 1
    said, network = report(capsys, learner(blank, body))
    assert network is None and "  gradient       wrong: it raises ValueError\n" in said
    assert f"it raised an error at my_ann.py, line {line}: ValueError: " in said
    assert "Theta2 (3, 5), delta3 (3, 1), z2 (4, 1)" in said and "z2 (h,) = (4,)" in said
    assert "z2 (h,) = (4,) (column (4, 1))" in said and "Traceback" not in said
    assert f"({exercise.command(str(blank))} --traceback shows the whole traceback.)" in said
    said = report(capsys, learner(blank, body), True)[0]                    # --traceback
    assert said.index("  gradient       wrong") < said.index("Traceback") < said.index(
        "Start with gradient")


# Slips whose advice says what to do: (style, function, [(right text, slip)], what is said)
ADVICE = {
    "Octave's * on columns": ("columns", "gradient", [("z2 = Theta1 @ a1", "z2 = Theta1 * a1")], [
        "numpy's * multiplies entry by entry: Octave's Theta1 * a1 (the article's product) is "
        "numpy's Theta1 @ a1.", "a1 (n + 1,) = (6,) (column (6, 1))"]),
    "@ and .T on 1-D vectors": ("columns", "gradient", [
        ("a2 = np.vstack(([[1.0]], g(z2)))", "a2 = np.concatenate(([1.0], g(z2).ravel()))"),
        ("a3 = g(Theta2 @ a2)", "a3 = g(Theta2 @ a2).reshape(-1, 1)")], [
        "On a 1-D vector .T changes nothing, and @ of two 1-D vectors is a dot product, one "
        "number: the outer product delta3 a2^T is np.outer(delta3, a2), or make them columns "
        "first (delta3.reshape(-1, 1))."]),
    "labels as numbers": ("rows", "cost_function", [("np.eye(num_labels)[y.ravel()]", "y")],
                          ["it gives other numbers than ann.py's.\n  " +
                           catalogue.LABELS_AS_NUMBERS]),
    "the bias regularized without /m": ("rows", "cost_function", [
        ("np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2))\n    return J",
         "np.sum(Theta1 ** 2) + np.sum(Theta2 ** 2))\n    return J * m")], [
        "Its answer below is exactly m = 9 times ann.py's: is a division by m missing?\n  On a "
        "5 - 4 - 3 network, 9 examples, lambda 0: cost_function is 18.8428, expected 2.09365.\n"
        "  At all-zero weights every output is 1/2 and the cost is K ln 2 = 2.0794 (K = 3)."]),
    "lambda / 2 * m": ("rows", "cost_function", [("lmbda / (2 * m)", "lmbda / 2 * m")], [
        "It is right at lambda 0 but not at lambda 1.5: the regularization is where it "
        "differs."]),
    "Theta1 alone off": ("rows", "gradient", [("grad_g(z2)", "z2")], [
        "Only Theta1's part is off, Theta2's is right: look at delta2"]),
    "a cost per example": ("rows", "cost_function", [("np.log(1 - h)) / m",
                                                      "np.log(1 - h), axis=1) / m")], [
        "its answer is not in the form of ann.py's, a single number.",
        "cost_function came out with shape (9,), expected (): a single number."]),
    "the outputs for predictions": ("rows", "predict", [("return np.argmax(a3, axis=1)",
                                                         "return a3")], [
        "predict came out with shape (9, 3), expected (9,): class indices (m,) from np.argmax, "
        "not the outputs (m, K)."]),
    "Theta1 and Theta2 swapped": ("rows", "reshape", [("return Theta1, Theta2",
                                                       "return Theta2, Theta1")], [
        "Theta1 and Theta2 are swapped, shapes (3, 5) and (4, 6): return Theta1, Theta2, in "
        "that order."]),
    "a tuple for a gradient": ("rows", "gradient", [(
        "return np.concatenate((grad1.ravel(), grad2.ravel()))", "return grad1, grad2")], [
        "its answer is not in the form of ann.py's, one flat vector shaped like theta",
        "it returned a tuple, which cannot be read as numbers in that form."]),
    "ann.py's helpers": ("rows", "cost_function", [("h = g(a2 @ Theta2.T)",
                                                    "h = feedforward(Theta1, Theta2, a1)[3]")], [
        "NameError: name 'feedforward' is not defined\n", "feedforward is one of ann.py's "
        "helpers, not one of the six, so your file does not have it: write what it does inside "
        "the function with numpy, or write feedforward in your file too"]),
    "g raises": ("rows", "g", [("1 / (1 + np.exp(-x))", "1 / (1 + np.exp(-x)) @ x")], [
        "On x from -6 to 6 (an array of shape (13, 2)), that line's arrays: x (13, 2)"]),
    "a write into reshape's view": ("rows", "cost_function", [
        ("    m = len(y)\n", "    m = len(y)\n    Theta1[:, 0] = 0\n")], [
        "cost_function changes theta, which it is given, through a view, at\n    "
        "Theta1[:, 0] = 0\n  reshape's Theta1 and Theta2 are views of theta"]),
    "math.exp on an array": ("rows", "g", [("def g(x):\n", "import math\n\n\ndef g(x):\n"),
                                           ("np.exp(-x)", "math.exp(-x)")], [
        "TypeError: ", "math.exp is the math module's, which takes one number, not an array: "
        "numpy's np.exp takes an array and works on each entry. Write np.exp in place of "
        "math.exp."]),
    "Octave's * with a .T": ("rows", "predict", [("g(a1 @ Theta1.T)", "g(a1 * Theta1.T)")], [
        "numpy's * multiplies entry by entry: Octave's a1 * Theta1.T (the article's product) is "
        "numpy's a1 @ Theta1.T."]),
    "a one-hot of the labels' column": ("rows", "cost_function", [
        ("np.eye(num_labels)[y.ravel()]", "np.eye(num_labels)[y]")], [
        "it gives other numbers than ann.py's.\n  It gives ann.py's answer once the labels y are "
        "flat, shape (m,): they come as the article has them, a column (m, 1)", "np.eye(K)[y] is "
        "then (m, 1, K), not the one-hot Y (m, K). Ravel them first: np.eye(K)[y.ravel()], or "
        "y = y.ravel() at the top."]),
    "a one-hot of the labels' column, in the gradient": ("rows", "gradient", [
        ("np.eye(num_labels)[y.ravel()]", "np.eye(num_labels)[y]")], [
        "ValueError: operands could not be broadcast", "\n  It gives ann.py's answer once the "
        "labels y are flat, shape (m,)"]),
    "a gradient made transposed": ("rows", "gradient", [("Delta1 = delta2.T @ a1",
                                                         "Delta1 = a1.T @ delta2")], [
        "grad1[:, 1:] += lmbda / m * Theta1[:, 1:]\n  On a 5 - 4 - 3 network, 9 examples, lambda "
        "0, that line's arrays: grad1 (6, 4), Theta1 (4, 6); the article's shapes: Theta1 "
        "(h, n + 1) = (4, 6).\n  grad1 (6, 4) has Theta1's shape (4, 6) transposed: see where "
        "grad1 is made, and make it come out (4, 6) like Theta1 (each weight's gradient sits "
        "where that weight does)."]),
    "a reshape to the wrong shape": ("rows", "reshape", [(
        "reshape(hidden_layer_size, input_layer_size + 1)",
        "reshape(hidden_layer_size, input_layer_size)")], [
        "that line's arrays: theta (39,); the article's shapes: Theta1 (h, n + 1) = (4, 6), "
        "theta (h (n + 1) + K (h + 1),) = (39,).\n"]),
}


@pytest.mark.parametrize("slip", list(ADVICE))
def test_each_slip_outside_the_catalogue_is_told_what_to_do(blank, capsys, slip):
    style, function, slips, fragments = ADVICE[slip]
    said, network = report(capsys, learner(blank, slipped(style, function, slips)))
    assert network is None and "classic" not in said
    assert said.count(" right\n") == 5 and f"Start with {function} " in said, said
    for fragment in fragments:
        assert fragment in said, said
    assert ("entry by entry" in said) == any("entry by entry" in f for f in fragments)
    numbers_came_back = not any(words in said for words in ("not in the form", "raised",
                                                            "changes theta"))
    assert ("other numbers" in said) == numbers_came_back


@pytest.mark.parametrize("function, slips", [
    ("reshape", [("reshape(hidden_layer_size, input_layer_size + 1)",
                  "reshape(input_layer_size + 1, hidden_layer_size).T"),
                 ("reshape(num_labels, hidden_layer_size + 1)",
                  "reshape(hidden_layer_size + 1, num_labels).T")]),
    ("gradient", [("grad1.ravel(), grad2.ravel()", "grad1.T.ravel(), grad2.T.ravel()")])])
def test_a_column_major_order_made_with_T_is_named_and_told_of_its_T_not_of_order_F(
        blank, capsys, function, slips):
    key = f"{function}-order-f" if function == "gradient" else "reshape-order-f"
    said = report(capsys, learner(blank, slipped("rows", function, slips)))[0]
    assert f"{catalogue.CATALOGUE[key].title}, a classic mistake." in said
    assert f"What to change: {advice.TRANSPOSED_ORDER[key]}." in said and "'F'" in said
    assert "without order='F'" not in said and "without ravel('F')" not in said


def test_a_gradient_that_loops_over_pixels_and_units_is_said_to_be_slow_before_training(
        blank, capsys):
    slow = slipped("columns", "gradient", [("        Delta1 += delta2 @ a1.T\n", """\
        for j in range(hidden_layer_size):
            for k in range(input_layer_size + 1):
                Delta1[j, k] += delta2[j, 0] * a1[k, 0]
""")])
    said, network = report(capsys, learner(blank, slow))
    assert network is not None and said.count(" right\n") == 6
    assert re.search(r"A warning first: your cost_function and gradient would take about "
                     r"(\d+ min|\d+ h( \d+ min)?) for 600 iterations on the galaxies \(estimated "
                     r"on 27 examples\), where ann.py's looped gradient takes about \d+ (s|min)\. "
                     r"A Python loop over pixels or hidden units is the likely cause", said), said
    for style in STYLES:                     # the article's loop over examples is fine
        assert "A warning" not in report(capsys, learner(blank, STYLES[style]))[0]


def test_the_commands_given_work_from_the_learner_s_folder_and_read_run_in_a_notebook(
        blank, tmp_path, capsys, monkeypatch):
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    said = report(capsys, learner(blank))[0]
    assert "then run python ../my_ann.py again." in said
    spaced = tmp_path / "my work" / "my_ann.py"          # a folder whose name has a space
    spaced.parent.mkdir()
    spaced.write_bytes(blank.read_bytes())
    said = report(capsys, learner(spaced))[0]
    assert 'then run python "../my work/my_ann.py" again.' in said
    if os.name == "posix":                                 # as a shell reads it
        command = re.search(r"then run (python .*) again\.", said).group(1)
        ran = subprocess.run(command.replace("python", shlex.quote(sys.executable), 1),
                             shell=True, capture_output=True, text=True, cwd=Path.cwd())
        assert ran.returncode == 1 and "not written yet" in ran.stdout, ran.stderr
    monkeypatch.setattr(exercise.screens, "notebook_shell", lambda: "ZMQInteractiveShell")
    assert "then run %run ../my_ann.py again." in report(capsys, learner(blank))[0]


def test_a_function_that_returns_none_or_writes_into_its_input_is_told_so(blank, capsys):
    def zeroing(theta, *args):               # changes its input
        theta[0] = 0.0
        return ann.gradient(theta, *args)
    functions = dict(zip(exercise.NAMES, ARTICLE), g=lambda x: None, gradient=zeroing)
    said, network = report(capsys, learner(blank, **functions))
    assert network is None and "classic" not in said
    assert verdicts(said) == dict(g="wrong: it returns None", grad_g="right", predict="right",
                                  reshape="right", cost_function="right",
                                  gradient="wrong: it changes its input theta")
    assert "Start with g (article section 2): g returns None: is its return statement" in said


# Wrong answers outside the catalogue besides ADVICE's, and one with two catalogued mistakes at
# once: (the right text, the slip) in the rows style.
UNNAMED = {
    "g": [("1 / (1 + np.exp(-x))", "1 / (1 - np.exp(-x))"), ("1 / (1 + np.exp(-x))", "np.tanh(x)"),
          ("np.exp(-x)", "np.exp(-2 * x)"), ("1 / (1 + np.exp(-x))", "1 / (1 - np.exp(x))")],
    "grad_g": [("(1 - g(x))", "(1 + g(x))"), ("g(x) * (1 - g(x))", "g(x) ** 2"),
               ("g(x) * (1 - g(x))", "np.exp(-x) * g(x)"), ("g(x) * (1 - g(x))", "x * (1 + x)")],
    "predict": [("np.argmax(a3, axis=1)", "np.argmax(a2, axis=1)"),
                ("np.argmax(a3, axis=1)", "np.argmin(a3, axis=1)"),
                ("np.argmax(a3, axis=1)", "np.argmax(a3, axis=0) + 1")],
    "reshape": [("(num_labels, hidden_layer_size + 1)",
                 "(num_labels, hidden_layer_size + 1)[::-1]"),
                ("return Theta1, Theta2", "return Theta1.T, Theta2.T"),
                ("split = hidden_layer_size * (input_layer_size + 1)\n"      # two at once:
                 "    Theta1 = theta[:split].reshape(hidden_layer_size, input_layer_size + 1)\n"
                 "    Theta2 = theta[split:].reshape(num_labels, hidden_layer_size + 1)",
                 "split = num_labels * (hidden_layer_size + 1)\n"           # Theta2 first,
                 "    Theta2 = theta[:split].reshape((num_labels, -1), order='F')\n"   # order F
                 "    Theta1 = theta[split:].reshape((hidden_layer_size, -1), order='F')")],
    "gradient": [("+= lmbda / m * Theta1[:, 1:]", "+= 0 * Theta1[:, 1:]"),
                 ("delta3 @ Theta2[:, 1:] * grad_g(z2)", "delta3 @ Theta2[:, 1:]"),
                 ("delta3 = a3 - Y", "delta3 = Y - a3\n    m = 1")],
}


@pytest.mark.parametrize("function", list(UNNAMED))
def test_wrong_answers_outside_the_catalogue_and_two_mistakes_at_once_get_no_classic_name(
        blank, capsys, function):
    titles = {made.title for made in catalogue.CATALOGUE.values()}
    for slip in UNNAMED[function]:
        said, network = report(capsys, learner(blank, slipped("rows", function, [slip])))
        verdict = verdicts(said)[function]
        assert network is None and verdict.startswith("wrong"), (slip, said)
        assert "classic" not in said and not any(title in verdict for title in titles), slip


def test_a_match_with_a_classic_mistake_on_one_check_case_only_is_not_named(blank, capsys):
    def half_right(theta, n, h, K, X, y, lmbda):     # the sum without /m at lambda 0 only
        J = ann.cost_function(theta, n, h, K, X, y, lmbda)
        return J * len(y) if lmbda == 0 else J * 1.01
    said, network = report(capsys, learner(blank, STYLES["rows"], cost_function=half_right))
    assert network is None and verdicts(said)["cost_function"] == "wrong"
    assert "classic" not in said


def test_an_exercise_file_named_like_a_module_ann_py_imports_is_refused_in_one_line(tmp_path,
                                                                                   capsys):
    for name in ("numpy", "scipy", "matplotlib", "ann", "companions", "random", "zipfile"):
        with pytest.raises(SystemExit) as exit_:
            ann.main(["--exercise", str(tmp_path / f"{name}.py")])
        assert exit_.value.code == 2 and not list(tmp_path.iterdir())
        assert capsys.readouterr().err == (
            f"ann.py: error: --exercise: {name}.py would hide the module {name}, which ann.py "
            f"imports: python {name}.py would import your file in its place; give another "
            "name (my_ann.py, say)\n")


def test_options_that_are_ann_py_s_own_are_refused_when_the_learner_s_network_trains(
        blank, capsys):
    with pytest.raises(SystemExit) as exit_:
        ann.main(["--vectorized", "--sweep"], learner=learner(blank))
    assert exit_.value.code == 2 and capsys.readouterr().err == (
        "my_ann.py: error: my_ann.py trains your network with your own functions: leave out "
        "--vectorized and --sweep, ann.py's own (python ann.py --vectorized runs it)\n")


@posix_only
def test_ctrl_c_stops_a_learner_s_network_after_the_current_evaluation(blank, toy_csvs, tmp_path,
                                                                       capsys):
    namespace, calls = learner(blank, STYLES["rows"]), []
    gradient = namespace["gradient"]

    def slow_gradient(*args):       # Ctrl-C during training's third evaluation (after 3 checks)
        calls.append(len(calls))
        if len(calls) == 6:
            os.kill(os.getpid(), signal.SIGINT)
        return gradient(*args)
    namespace["gradient"] = slow_gradient
    run = main_in_process(capsys, "--train", toy_csvs[0], "--test", toy_csvs[1], "--maxiter", 50,
                          "--no-plot", "--save", tmp_path / "f.png",
                          main=lambda argv: ann.main(argv, learner=namespace))
    assert run.returncode == 130 and "training interrupted (Ctrl-C)" in run.stdout
    assert len(calls) == 6 and "kept the weights" in run.stdout    # none after the third
