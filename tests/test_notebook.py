"""ann.ipynb, the article cell by cell: stored without outputs, its guesses shipped empty and each
revealed by a later cell, ann.py's functions used and never redefined; and, in a real kernel,
run top to bottom without an error, with no guess filled in and with every one."""
import ast
import os
import re
import time

import pytest

import ann
from conftest import ONE_THREAD, ROOT, full

NOTEBOOK = os.path.join(ROOT, "ann.ipynb")
GUESS = re.compile(r"^(guess_\w+) = None\b", re.MULTILINE)
# a guess of the right kind for each of the notebook's guesses
FILLED = {"guess_largest_slope": "0.5", "guess_random_accuracy": "50", "guess_zero_cost": "1.5",
          "guess_lowest_iteration": "300", "guess_kept_accuracy": "74",
          "guess_hardest_class": "'Spiral'", "guess_mistake_effect": "'stops'"}


def read_notebook():
    nbformat = pytest.importorskip("nbformat", reason="needs nbformat (pip install -r "
                                                      "requirements-dev.txt); CI runs it")
    return nbformat.read(NOTEBOOK, as_version=4)


def code_cells(notebook):
    return [cell.source for cell in notebook.cells if cell.cell_type == "code"]


def test_the_notebook_is_stored_without_outputs():
    notebook = read_notebook()
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]


def test_each_guess_is_shipped_empty_and_revealed_by_a_later_cell():
    cells = code_cells(read_notebook())
    guessed = {name: i for i, source in enumerate(cells) for name in GUESS.findall(source)}
    assert len(guessed) >= 6 and set(guessed) == set(FILLED)
    for name, i in guessed.items():
        assert any("guesses." in source and name in source for source in cells[i + 1:]), name


def test_the_notebook_calls_ann_pys_functions_and_defines_none_of_them():
    sources = [re.sub(r"^\s*[%!].*$", "", source, flags=re.MULTILINE)     # magics and shell
               for source in code_cells(read_notebook())]
    defined = {node.name for source in sources for node in ast.walk(ast.parse(source))
               if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
    assigned = {target.id for source in sources for node in ast.walk(ast.parse(source))
                if isinstance(node, ast.Assign) for target in node.targets
                if isinstance(target, ast.Name)}
    of_ann = {name for name in vars(ann) if callable(getattr(ann, name))
              and getattr(getattr(ann, name), "__module__", None) == ann.__name__}
    assert not (defined | assigned) & of_ann
    called = set(re.findall(r"\bann\.(\w+)\(", "\n".join(sources)))
    assert {"g", "grad_g", "initial_weights", "reshape", "predict", "cost_function",
            "check_gradients", "History", "train", "LiveFigure", "report_kept_weights"} <= called


def execute(notebook):
    """Run every cell of notebook in a new kernel started in the project folder, as a learner's
    is; nbclient raises at the first cell that fails. Returns the outputs, cell by cell."""
    nbclient = pytest.importorskip("nbclient", reason="needs nbclient (pip install -r "
                                                      "requirements-dev.txt); CI runs it")
    pytest.importorskip("ipykernel", reason="needs ipykernel; CI runs it")
    nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": ROOT}}).execute()
    return [cell.outputs for cell in notebook.cells if cell.cell_type == "code"]


@full
@pytest.mark.parametrize("filled", [False, True], ids=["no guess", "every guess"])
def test_the_notebook_runs_top_to_bottom_in_a_kernel(monkeypatch, filled):
    """In a kernel whose environment sets MPLBACKEND=agg, as the tests' does: the notebook's
    own inline backend shows every figure, and nothing is written to stderr."""
    for name, value in dict(ONE_THREAD, MPLBACKEND="agg").items():
        monkeypatch.setenv(name, value)
    notebook = read_notebook()
    if filled:
        for cell in notebook.cells:
            cell.source = GUESS.sub(lambda guess: f"{guess[1]} = {FILLED[guess[1]]}",
                                    cell.source)
    start = time.perf_counter()
    outputs = [output for cell in execute(notebook) for output in cell]
    print(f"the notebook ran in {time.perf_counter() - start:.0f} s")
    assert not [output for output in outputs if output.output_type == "error"]
    assert not [output.text for output in outputs if output.get("name") == "stderr"]
    images = [output for output in outputs if "image/png" in output.get("data", {})]
    assert len(images) >= 6        # the sigmoid, the galaxies, two runs, the kept, the mistakes
    printed = "".join(output.text for output in outputs if output.get("name") == "stdout")
    assert printed.count("The run gives") == len(FILLED)
    if filled:
        assert printed.count("Your guess") == len(FILLED) and "No guess in" not in printed
    else:
        assert all(f"No guess in {name} yet" in printed for name in FILLED)
    assert "relative difference" in printed and "FAILED" not in printed   # the gradient check
    assert "kept the weights of iteration" in printed and "true \\ predicted" in printed
