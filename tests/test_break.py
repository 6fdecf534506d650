"""--break: ann.py's network trained with a classic mistake made in it, ann.py's own run faint
behind, and one closing line. Each test's name says what must hold."""
import re

import pytest

import ann
from companions import breaking, catalogue
from conftest import ONE_THREAD, full, main_in_process, run_ann, toy_images


def ann_line(text):
    """The line number in ann.py of the line that starts with text (its code, stripped)."""
    with open(ann.__file__, encoding="utf-8") as f:
        return next(number for number, line in enumerate(f, 1) if line.strip().startswith(text))


def test_break_alone_lists_each_mistake_on_a_line_and_exits_0(capsys):
    with pytest.raises(SystemExit) as exit_:
        ann.main(["--break"])
    out = capsys.readouterr().out
    assert exit_.value.code == 0
    for name in catalogue.TRAINABLE:
        made = catalogue.CATALOGUE[name]
        assert re.search(rf"^  {re.escape(name)} +{made.function}: {re.escape(made.title)}$",
                         out, re.MULTILINE), name
    assert "argmax-axis-0" not in out         # predict plays no part in training


@pytest.mark.parametrize("argv, message", [
    (["--break", "delta3"], "--break: no mistake is called 'delta3' (did you mean delta3-sign?); "
                            "python ann.py --break lists them"),
    (["--break", "argmax-axis-0"], "--break: argmax-axis-0 is a mistake of predict, which "
                                   "training does not call: the exercise names it; python ann.py "
                                   "--break lists those that train"),
    (["--break", "delta3-sign", "--vectorized"], "--break trains ann.py's network with a mistake "
                                                 "made in it: leave out --vectorized")])
def test_an_unknown_mistake_or_a_clashing_option_is_refused_in_one_line(capsys, argv, message):
    with pytest.raises(SystemExit) as exit_:
        ann.main(argv)
    assert exit_.value.code == 2 and capsys.readouterr().err == f"ann.py: error: {message}\n"


def test_a_learner_s_file_refuses_break_which_breaks_ann_py_s_network(capsys, tmp_path):
    with pytest.raises(SystemExit) as exit_:
        ann.main(["--break", "delta3-sign"], learner={"__file__": str(tmp_path / "my_ann.py")})
    assert exit_.value.code == 2 and capsys.readouterr().err == (
        "my_ann.py: error: --break trains ann.py's network with a mistake made in it: python "
        "ann.py --break delta3-sign, not python my_ann.py\n")


def test_a_mistake_trains_with_ann_py_s_run_faint_behind_and_one_closing_line_says_where_to_look(
        toy_csvs, tmp_path, capsys, monkeypatch):
    drawn = []
    monkeypatch.setattr(breaking, "draw_behind", lambda ax, *costs: drawn.append(costs))
    run = main_in_process(capsys, "--break", "gradient-bias-regularized", "--train", toy_csvs[0],
                          "--test", toy_csvs[1], "--maxiter", 8, "--no-plot", "--save",
                          tmp_path / "f.png")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "(the bias regularized, in a vectorized gradient)" in run.stdout
    costs = [float(J) for J in re.findall(r"^(?:initial|iter=.*?):  Jtrain= (\S+)", run.stdout,
                                          re.MULTILINE)]
    (J_train, J_test), = drawn                 # ann.py's own run: the same start, its own path
    assert J_train[0] == pytest.approx(costs[0], abs=5e-5) and len(J_train) == 9
    assert J_train[1:] != pytest.approx(costs[1:], abs=5e-5)
    last = run.stdout.rstrip().splitlines()[-2]     # then the figure saved
    line = ann_line("grad1[:, 1:] += lmbda / m")
    assert re.fullmatch(r"the bias regularized \(gradient-bias-regularized\): it trained 8 "
                        r"iterations;"
                        r" lowest test cost \S+ against ann.py's \S+, test accuracy \S+% against"
                        r" \S+%, because .*\. Compare regularized_gradient in ann.py, line "
                        rf"{line}: grad1\[:, 1:\] \+= lmbda / m \* Theta1\[:, 1:\]", last), last


def test_a_mistake_that_stalls_fmin_cg_says_so_in_its_closing_line(toy_csvs, tmp_path, capsys):
    run = main_in_process(capsys, "--break", "delta3-sign", "--train", toy_csvs[0], "--test",
                          toy_csvs[1], "--maxiter", 8, "--no-plot", "--save", tmp_path / "f.png")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "training stopped: the line search made no progress after 0 iterations" in run.stdout
    assert ("the sign of delta3 flipped (delta3-sign): fmin_cg stopped after 0 iterations, its "
            "line search finding no step that lowers the cost;") in run.stdout
    assert f"Compare gradient in ann.py, line {ann_line('delta3 = a3 - Y[i]')}: " in run.stdout


@pytest.mark.parametrize("answer, verdict", [("right", "Right: "), ("wrong", "Not ")])
def test_break_random_hides_the_mistake_until_the_learner_has_guessed_it(
        toy_csvs, tmp_path, capsys, monkeypatch, answer, verdict):
    monkeypatch.setattr(breaking.random, "choice", lambda names: "cost-mean")
    asked = []

    def ask(prompt):
        asked.append(capsys.readouterr().out)        # what was said before the question
        return str(1 + catalogue.TRAINABLE.index("cost-mean" if answer == "right" else "cost-no-m"))
    monkeypatch.setattr(breaking, "asking", lambda: ask)
    run = main_in_process(capsys, "--break", "random", "--train", toy_csvs[0], "--test",
                          toy_csvs[1], "--maxiter", 5, "--no-plot", "--save", tmp_path / "f.png")
    assert run.returncode == 0, run.stdout + run.stderr
    before, = asked
    assert "(cost-mean):" not in before and "ann.py --break: the mean" not in before
    number = 1 + catalogue.TRAINABLE.index("cost-mean")
    assert re.search(rf"^ +{number} cost-mean +cost_function: the mean over the classes as "
                     r"well$", before, re.MULTILINE)                       # in the list only
    assert "(a hidden mistake; a vectorized gradient)" in before
    assert run.stdout.startswith(f"{verdict}" + ("" if answer == "right" else "cost-no-m: it "
                                 "was ") + "the mean over the classes as well (cost-mean): ")


@full
def test_on_the_galaxies_the_bias_regularized_gradient_changes_little(tmp_path):
    bias = run_ann("--break", "gradient-bias-regularized", "--maxiter", 100, "--no-plot",
                   "--save", tmp_path / "b.png", env=ONE_THREAD)
    lowest = re.search(r"lowest test cost (\S+) against ann.py's (\S+),", bias.stdout)
    assert bias.returncode == 0 and lowest, bias.stdout[-3000:] + bias.stderr
    # within 5 %: over OpenBLAS's kernels and 1 or 2 threads the two differ by 0.4-2.7 %
    assert abs(float(lowest.group(1)) - float(lowest.group(2))) < 0.05 * float(lowest.group(2))


@full
def test_break_random_without_a_terminal_tells_the_mistake_without_asking(tmp_path):
    run = run_ann("--break", "random", "--maxiter", 20, "--no-plot", "--save", tmp_path / "r.png",
                  env=ONE_THREAD)
    assert run.returncode == 0 and "Which mistake" not in run.stdout, run.stderr
    assert "(a hidden mistake; a vectorized gradient)" in run.stdout
    assert re.search(r"^\S.* \((" + "|".join(map(re.escape, catalogue.TRAINABLE)) + r")\): "
                     r"(it trained|fmin_cg stopped|its cost became NaN)", run.stdout,
                     re.MULTILINE), run.stdout[-3000:]


def test_ann_py_s_own_costs_are_drawn_faint_behind_the_live_lines_and_said_under_the_plot():
    y, pixels = toy_images(4)
    layout = ann.LiveFigure(pixels / 255.0, y, 3, 8, 20)
    breaking.draw_behind(layout.cost_ax, [2.0, 1.9, 1.8], [2.1, 2.0, 1.95])
    faint = [line for line in layout.cost_ax.get_lines() if list(line.get_ydata()) in (
        [2.0, 1.9, 1.8], [2.1, 2.0, 1.95])]
    assert len(faint) == 2 and all(line.get_alpha() <= 0.3 and line.get_zorder() <
                                   layout.test_line.get_zorder() for line in faint)
    assert "faint: ann.py's own run" in layout.cost_ax.get_xlabel()


def test_a_mistake_s_name_is_known_in_any_case_and_the_labels_twins_have_titles_of_their_own():
    assert breaking.known("DELTA3-SIGN") == ("delta3-sign", None)
    assert breaking.known("cost-labels-1-to-k")[0] == "cost-labels-1-to-K"
    listed = [(catalogue.CATALOGUE[name].function, catalogue.CATALOGUE[name].title)
              for name in catalogue.TRAINABLE]
    assert len(set(listed)) == len(listed)          # the list tells each mistake apart
