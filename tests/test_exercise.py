"""The exercise (--exercise): the learner's file, the checks of their six functions, the named
mistakes, and their network trained. Each test's name says what must hold."""
import ast
import inspect
import re
from pathlib import Path

import pytest

import ann
from companions import exercise
from conftest import filled_exercise, main_in_process, run_ann

ARTICLE = (ann.g, ann.grad_g, ann.predict, ann.reshape, ann.cost_function, ann.gradient)
# Right answers in two styles besides ann.py's own: the gradient as the article writes it, one
# example at a time in column vectors, and for all examples at once; the rest is common to both.
COMMON = """
def g(x):
    return 1 / (1 + np.exp(-x))

def grad_g(x):
    return g(x) * (1 - g(x))

def predict(Theta1, Theta2, X):
    a2 = np.hstack((np.ones((len(X), 1)), g(np.hstack((np.ones((len(X), 1)), X)) @ Theta1.T)))
    return np.argmax(g(a2 @ Theta2.T), axis=1).reshape(-1, 1)

def reshape(theta, n, h, K):
    return theta[:h * (n + 1)].reshape(h, n + 1), theta[h * (n + 1):].reshape(K, h + 1)

def cost_function(theta, n, h, K, X, y, lmbda):
    Theta1, Theta2 = reshape(theta, n, h, K)
    a2 = np.column_stack((np.ones(len(X)), g(np.column_stack((np.ones(len(X)), X)) @ Theta1.T)))
    a3, Y = g(a2 @ Theta2.T), np.eye(K)[y.ravel().astype(int)]
    J = np.sum(-Y * np.log(a3) - (1 - Y) * np.log(1 - a3)) / len(X)
    return J + lmbda / (2 * len(X)) * (np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2))
"""
STYLES = {
    "column vectors": COMMON + """
def gradient(theta, n, h, K, X, y, lmbda):
    Theta1, Theta2 = reshape(theta, n, h, K)
    Delta1, Delta2 = np.zeros(Theta1.shape), np.zeros(Theta2.shape)
    for i in range(len(X)):
        a1 = np.vstack(([[1.0]], X[i].reshape(-1, 1)))
        z2 = Theta1 @ a1
        a2 = np.vstack(([[1.0]], g(z2)))
        delta3 = g(Theta2 @ a2) - np.eye(K)[int(y[i, 0])].reshape(-1, 1)
        delta2 = (Theta2[:, 1:].T @ delta3) * grad_g(z2)
        Delta1, Delta2 = Delta1 + delta2 @ a1.T, Delta2 + delta3 @ a2.T
    Delta1[:, 1:] += lmbda * Theta1[:, 1:]
    Delta2[:, 1:] += lmbda * Theta2[:, 1:]
    return np.concatenate(((Delta1 / len(X)).flatten(), (Delta2 / len(X)).flatten()))
""",
    "all examples at once": COMMON + """
def gradient(theta, n, h, K, X, y, lmbda):
    Theta1, Theta2 = reshape(theta, n, h, K)
    a1 = np.column_stack((np.ones(len(X)), X))
    z2 = a1 @ Theta1.T
    a2 = np.column_stack((np.ones(len(X)), g(z2)))
    delta3 = g(a2 @ Theta2.T) - np.eye(K)[y.ravel().astype(int)]
    delta2 = delta3 @ Theta2[:, 1:] * grad_g(z2)
    grads = [delta2.T @ a1 / len(X), delta3.T @ a2 / len(X)]
    for grad, Theta in zip(grads, (Theta1, Theta2)):
        grad[:, 1:] += lmbda / len(X) * Theta[:, 1:]
    return np.concatenate([grad.ravel() for grad in grads])
"""}


@pytest.fixture
def blank(tmp_path, capsys):
    """The exercise file as `python ann.py --exercise` writes it."""
    path = tmp_path / "my_ann.py"
    result = main_in_process(capsys, "--exercise", path)
    assert result.returncode == 0 and f"python {path}" in result.stdout, result.stderr
    return path


def learner(path, body=None, **functions):
    """The namespace of the learner's file at path, once they have written body (source text)
    in it, or with the functions given in place of theirs."""
    if body is not None:
        path.write_text("import numpy as np\n" + body)
    namespace = {"__file__": str(path), "__name__": "learner"}
    exec(compile(path.read_text(), str(path), "exec"), namespace)
    return dict(namespace, **functions)


def verdicts(said):
    """The check's table: function name -> what it says of it."""
    return dict(re.findall(r"^  (\w+) +(right|wrong.*|not written yet)$", said, re.MULTILINE))


def report(capsys, namespace, *options):
    """What the checks print for the learner's namespace, and what they return."""
    network = exercise.check(namespace, ARTICLE, *options)
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


def test_the_file_run_from_another_folder_says_six_not_written_yet_then_once_filled_trains(
        blank, toy_csvs, tmp_path, capsys):
    (tmp_path / "elsewhere").mkdir()
    result = run_ann(cwd=tmp_path / "elsewhere", script=str(blank))
    assert result.returncode == 1 and result.stderr == ""
    assert list(verdicts(result.stdout).values()) == ["not written yet"] * 6
    assert "Start with g (article section 2): it is not written yet" in result.stdout
    filled = learner(Path(filled_exercise(tmp_path / "filled.py")))   # ann.py's own functions
    result = main_in_process(capsys, "--train", toy_csvs[0], "--test", toy_csvs[1], "--maxiter",
                             3, "--no-plot", "--save", tmp_path / "f.png",
                             main=lambda argv: ann.main(argv, learner=filled))
    assert result.returncode == 0, result.stdout + result.stderr
    assert set(verdicts(result.stdout).values()) == {"right"} and "All six" in result.stdout
    assert "iterations (your gradient)" in result.stdout and len(re.findall(
        r"^iter=", result.stdout, re.MULTILINE)) == 3 and "kept the weights" in result.stdout


@pytest.mark.parametrize("style", list(STYLES))
def test_right_answers_in_another_style_are_accepted_and_train(blank, toy_csvs, tmp_path,
                                                               capsys, style):
    namespace = learner(blank, STYLES[style])
    run = main_in_process(capsys, "--train", toy_csvs[0], "--test", toy_csvs[1], "--maxiter", 3,
                          "--no-plot", "--save", tmp_path / "f.png",
                          main=lambda argv: ann.main(argv, learner=namespace))
    assert run.returncode == 0, run.stdout + run.stderr
    assert list(verdicts(run.stdout).values()) == ["right"] * 6
    assert "kept the weights of iteration" in run.stdout


def test_the_catalogue_s_mistakes_are_edits_of_the_article_that_differ_on_the_check_cases():
    for name, reference in zip(exercise.NAMES, ARTICLE):
        edits = [None] + [edit for function, edit in exercise.MISTAKES if function == name]
        answers = [[exercise.edited(name, edit)(*exercise.arguments(name, case))
                    for case in exercise.check_cases()] for edit in edits]
        assert all(exercise.same(name, answer, reference(*exercise.arguments(name, case)))
                   for answer, case in zip(answers[0], exercise.check_cases()))   # unedited
        for i in range(len(edits)):
            for j in range(i):            # each differs from the reference and every other
                assert not all(exercise.same(name, a, b) for a, b in zip(answers[i],
                                                                         answers[j])), edits[i]


@pytest.mark.parametrize("mistake", list(exercise.MISTAKES), ids=" ".join)
def test_each_classic_mistake_is_named_with_what_to_change(blank, capsys, mistake):
    name, edit = mistake
    functions = dict(zip(exercise.NAMES, ARTICLE), **{name: exercise.edited(name, edit)})
    said, network = report(capsys, learner(blank, **functions))
    title, advice = exercise.MISTAKES[mistake]
    assert network is None and f"  {name:14s} wrong: {title}\n" in said
    assert f"Start with {name} (article section {exercise.SECTIONS[name]}): {title}" in said
    assert f"What to change: {advice}." in said and ", expected " in said
    assert list(verdicts(said).values()).count("right") == 5


def test_a_function_that_raises_gets_its_line_and_the_shapes_there_without_a_traceback(
        blank, capsys):
    body = STYLES["column vectors"].replace("(Theta2[:, 1:].T @ delta3)", "(Theta2.T @ delta3)")
    line = 1 + body.splitlines().index("        delta2 = (Theta2.T @ delta3) * grad_g(z2)") + 1
    said, network = report(capsys, learner(blank, body))
    assert network is None and "  gradient       wrong: it raises ValueError\n" in said
    assert f"it raised an error at my_ann.py, line {line}: ValueError: " in said
    assert "Theta2 (3, 5), delta3 (3, 1), z2 (4, 1)" in said and "z2 (h,) = (4,)" in said
    assert "Traceback" not in said
    assert "Traceback" in report(capsys, learner(blank, body), True)[0]     # --traceback


def test_other_wrong_answers_are_shown_with_their_numbers_never_a_guessed_mistake(blank,
                                                                                 capsys):
    def zeroing(theta, *args):               # changes its input
        theta[0] = 0.0
        return ann.gradient(theta, *args)
    functions = dict(zip(exercise.NAMES, ARTICLE), g=lambda x: None, gradient=zeroing,
                     cost_function=lambda *args: 1.01 * ann.cost_function(*args))
    said, network = report(capsys, learner(blank, **functions))
    assert network is None and "classic" not in said
    assert verdicts(said) == dict(g="wrong: it returns None", grad_g="right", predict="right",
                                  reshape="right", cost_function="wrong",
                                  gradient="wrong: it changes its input theta")
    assert "Start with g (article section 2): g returns None: is its return statement" in said
    said = report(capsys, learner(blank, **dict(functions, g=ann.g, gradient=ann.gradient)))[0]
    assert "it gives other numbers than ann.py's" in said and "K ln 2 = 2.0794" in said
    assert re.search(r"On a 5 - 4 - 3 network, 9 examples, lambda 0: cost_function is "
                     r"(\S+), expected (\S+)\.", said)


def test_options_that_are_ann_py_s_own_are_refused_when_the_learner_s_network_trains(
        blank, capsys):
    with pytest.raises(SystemExit) as exit_:
        ann.main(["--vectorized", "--sweep"], learner=learner(blank))
    assert exit_.value.code == 2 and capsys.readouterr().err == (
        "my_ann.py: error: my_ann.py trains your network with your own functions: leave out "
        "--vectorized and --sweep, ann.py's own (python ann.py --vectorized runs it)\n")
