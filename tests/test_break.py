"""--break: ann.py's network trained with a classic mistake made in it, ann.py's own run faint
behind, the symptoms under the figure, the closing words, and --break random's question, asked
through a pseudo-terminal as a learner meets it. Each test's name says what must hold."""
import io
import os
import re
import select
import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pytest

import ann
from companions import breaking, catalogue, diagnosis
from conftest import (ONE_THREAD, PROJECT_CSVS, ROOT, full, main_in_process, posix_only, run_ann,
                      toy_images)


def ann_line(text):
    """The line number in ann.py of the line that starts with text (its code, stripped)."""
    with open(ann.__file__, encoding="utf-8") as f:
        return next(number for number, line in enumerate(f, 1) if line.strip().startswith(text))


def broken_run(capsys, monkeypatch, toy_csvs, tmp_path, *args):
    """python ann.py --break ARGS on the toy sets, in this process: the run, and its Broken."""
    made = []

    class Kept(breaking.Broken):
        def __init__(self, args):
            super().__init__(args)
            made.append(self)
    monkeypatch.setattr(breaking, "Broken", Kept)
    run = main_in_process(capsys, "--break", *args, "--train", toy_csvs[0], "--test",
                          toy_csvs[1], "--no-plot", "--save", tmp_path / "f.png")
    assert run.returncode == 0, run.stdout + run.stderr
    return run, made[0]


def closing(stdout, name):
    """The closing words: from the line that names the mistake to ann.py's line."""
    return re.search(rf"^{re.escape(name)}, .*?^  ann\.py, line \d+: .*?$", stdout,
                     re.MULTILINE | re.DOTALL).group(0)


def toy_history():
    """What the symptoms need of a run: its sizes, training set and lambda (the toy set's)."""
    y, pixels = toy_images(30, seed=1)
    return SimpleNamespace(sizes=(64, 8, 3), X_train=pixels / 255.0, y_train=y, lmbda=1.0)


# ==== Choosing a mistake =========================================================================

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


def test_a_mistake_s_name_is_known_in_any_case_and_the_labels_twins_have_titles_of_their_own():
    assert breaking.known("DELTA3-SIGN") == ("delta3-sign", None)
    assert breaking.known("cost-labels-1-to-k")[0] == "cost-labels-1-to-K"
    listed = [(catalogue.CATALOGUE[name].function, catalogue.CATALOGUE[name].title)
              for name in catalogue.TRAINABLE]
    assert len(set(listed)) == len(listed)          # the list tells each mistake apart


# ==== What a run shows, and its closing words ====================================================

def test_ann_py_s_own_run_trains_first_saying_how_far_it_is_in_a_few_lines_off_a_terminal(
        toy_csvs, tmp_path, capsys, monkeypatch):
    run, _ = broken_run(capsys, monkeypatch, toy_csvs, tmp_path, "delta3-sign", "--maxiter", 8)
    before = run.stdout.split("initial:")[0]
    assert re.findall(r"^  iteration (\d+)/8 \(\d+ s\)$", before, re.MULTILINE) == [
        "2", "4", "6", "8"]
    assert re.search(r"^  ann\.py's own run: 8 iterations in \d+\.\d s, lowest test cost "
                     r"\d\.\d{4}$", before, re.MULTILINE), before


def test_ann_py_s_own_costs_are_drawn_faint_behind_the_live_lines_and_labelled_on_the_plot():
    y, pixels = toy_images(4)
    layout = ann.LiveFigure(pixels / 255.0, y, 3, 8, 20)
    layout.cost_ax.set_ylim(1.0, 2.2)
    label = breaking.draw_behind(layout.cost_ax, [2.0, 1.9, 1.8], [2.1, 2.0, 1.95])
    faint = [line for line in layout.cost_ax.get_lines() if list(line.get_ydata()) in (
        [2.0, 1.9, 1.8], [2.1, 2.0, 1.95])]
    assert len(faint) == 2 and all(line.get_alpha() <= 0.3 and line.get_zorder() <
                                   layout.test_line.get_zorder() for line in faint)
    right = SimpleNamespace(J_train=[2.0, 1.9, 1.8], J_test=[2.1, 2.0, 1.95])
    breaking.place_label(label, right, SimpleNamespace(iteration=1), stopped=False)
    assert label.get_text() == "ann.py's own run (faint)" and label.axes is layout.cost_ax
    assert label.xy == (1, 1.9) and label.get_va() == "top"      # under its training curve
    layout.cost_ax.set_ylim(1.85, 2.2)                           # no room under it: above
    breaking.place_label(label, right, SimpleNamespace(iteration=1), stopped=False)
    assert label.xy == (1, 2.0) and label.get_va() == "bottom"    # on its test curve


def test_a_mistake_that_stops_at_once_is_told_the_cost_rises_where_the_gradient_says_it_falls(
        toy_csvs, tmp_path, capsys, monkeypatch):
    run, broken = broken_run(capsys, monkeypatch, toy_csvs, tmp_path, "delta3-sign",
                             "--maxiter", 8)
    assert "training stopped: the line search made no progress after 0 iterations" in run.stdout
    lines = closing(run.stdout, "delta3-sign").splitlines()
    assert all(len(line) <= 100 for line in lines[:-2]) and len(lines) <= 8     # short lines
    words = " ".join(line.strip() for line in lines[:-2])
    assert re.fullmatch(r"delta3-sign, the sign of delta3 flipped: fmin_cg stopped at once, after "
                        r"0 of up to 8 iterations\. Its test cost stayed at its start, \d\.\d{4}, "
                        r"while ann\.py's fell to \d\.\d{4}; test accuracy [\d.]+%.*, ann\.py's "
                        r"[\d.]+%\. Why: y - a3 turns the gradient around: it points uphill; the "
                        r"cost rises where the gradient says it falls, and fmin_cg takes only "
                        r"steps that lower it\.", words), words
    assert lines[-2:] == ["  the mistake:       delta3 = Y - a3",
                          f"  ann.py, line {ann_line('delta3 = a3 - Y[i]')}:  delta3 = a3 - "
                          "Y[i]   (gradient)"]
    panel, live = broken.panel, broken.live
    assert panel.heading.get_text() == ("Why it stopped: the cost rises where the gradient says "
                                        "it falls")
    assert panel.code.get_text() == "\n".join(line[2:] for line in lines[-2:])
    assert live.title.get_text().splitlines()[-1].startswith(
        "delta3-sign: kept weights (iteration 0)")
    assert "this run stopped here, at iteration 0" in [text.get_text()
                                                       for text in live.cost_ax.texts]


def test_a_mistake_that_trains_on_is_told_why_it_still_trains(
        toy_csvs, tmp_path, capsys, monkeypatch):
    drawn, draw_behind = [], breaking.draw_behind
    monkeypatch.setattr(breaking, "draw_behind", lambda ax, *costs: (
        drawn.append(costs), draw_behind(ax, *costs))[1])
    run, broken = broken_run(capsys, monkeypatch, toy_csvs, tmp_path, "cost-no-m",
                             "--maxiter", 8)
    costs = [float(J) for J in re.findall(r"^(?:initial|iter=.*?):  Jtrain= (\S+)", run.stdout,
                                          re.MULTILINE)]
    (J_train, J_test), = drawn                 # ann.py's own run: the same start, its own path
    assert J_train[0] == pytest.approx(costs[0], abs=5e-5) and len(J_train) == 9
    assert "(the division by m forgotten in cost_function; ann.py's vectorized gradient)" in \
        run.stdout
    words = " ".join(line.strip() for line in closing(run.stdout, "cost-no-m").splitlines())
    assert words.startswith("cost-no-m, the division by m forgotten: it trained all 8 "
                            "iterations. Its test cost fell to ")
    assert re.search(r"Why: the cost sums over the m examples while the gradient, ann\.py's, "
                     r"averages; yet the cost still falls where the gradient says it falls, 90 "
                     r"times as fast as the gradient claims, so fmin_cg keeps finding lower "
                     r"steps\.", words), words                    # m = 90 toy galaxies
    assert "stopped" not in words and "gave up" not in words
    assert broken.panel.heading.get_text() == ("Why it trained on: the cost still falls where "
                                               "the gradient says it falls, 90 times as fast as "
                                               "the gradient claims")


def test_a_mistake_that_stops_after_a_few_iterations_is_told_how_its_slope_misled_fmin_cg(
        toy_csvs, tmp_path, capsys, monkeypatch):
    run, broken = broken_run(capsys, monkeypatch, toy_csvs, tmp_path, "reshape-order-f",
                             "--maxiter", 8)
    words = " ".join(line.strip() for line in closing(run.stdout, "reshape-order-f").splitlines())
    rate = re.search(r"the cost falls at (\d+)% of the rate the gradient claims, and fmin_cg's "
                     r"line search, which relies on that rate, gave up after 1 iteration\.", words)
    assert rate and 50 < int(rate.group(1)) < 95, words
    assert broken.panel.heading.get_text() == ("Why it stopped: the cost falls at "
                                               f"{rate.group(1)}% of the rate the gradient claims")


def test_the_symptoms_under_the_figure_fit_beside_each_other_landscape_and_portrait():
    history, theta = toy_history(), ann.initial_weights(64, 8, 3, 917)
    live = ann.LiveFigure(history.X_train, history.y_train, 3, 8, 20)
    symptoms = diagnosis.measure("delta3-sign", history, theta, 1.6)
    panel = diagnosis.Panel(live, symptoms, diagnosis.measure(None, history, theta, 1.6), [
        diagnosis.way_down(name, history, theta, 1.6) for name in ("delta3-sign", None)])
    lines = ["the mistake:       " + "x" * 70, "ann.py, line 130:  " + "y" * 90]
    for landscape, fits in ((True, True), (False, False)):
        live.arrange(landscape)
        panel.compare(lines)
        live.fig.canvas.draw()
        room = diagnosis.ROOM * live.fig.dpi
        boxes = [ax.get_window_extent() for ax in live.fig.axes]
        ours = [box for ax, box in zip(live.fig.axes, boxes) if ax.get_axes_locator()]
        theirs = [box for ax, box in zip(live.fig.axes, boxes) if not ax.get_axes_locator()]
        assert len(ours) == 3 and all(box.y1 <= room + 1 and box.y0 >= 0 for box in ours)
        assert all(box.y0 >= room for box in theirs)             # the figure's parts above
        assert not ours[1].overlaps(ours[2])                      # the two plots side by side
        assert (panel.code.get_text() == "\n".join(lines)) == fits, landscape


# ==== The symptoms, and the causes to choose among ================================================

def test_ann_py_s_gradient_passes_the_check_in_both_parts_and_every_mistake_fails_one():
    history, theta = toy_history(), ann.initial_weights(64, 8, 3, 917)
    assert max(diagnosis.measure(None, history, theta, 1.6).parts) < diagnosis.AGREE
    for name in catalogue.TRAINABLE:
        assert max(diagnosis.measure(name, history, theta, 1.6).parts) > 1e3 * diagnosis.AGREE, \
            name


@full
def test_on_the_galaxies_a_symptom_tells_every_two_mistakes_apart_but_the_two_small_pulls():
    from companions import data, options
    sets = data.read_sets(options.parse_args(["--train", PROJECT_CSVS[0], "--test",
                                              PROJECT_CSVS[1]]))
    history = SimpleNamespace(sizes=(1024, 8, 3), X_train=sets.X_train, y_train=sets.y_train,
                              lmbda=1.0)
    theta = ann.initial_weights(1024, 8, 3, ann.SEED)
    reach = diagnosis.reach(history, theta)
    seen = {name: diagnosis.measure(name, history, theta, reach)
            for name in catalogue.TRAINABLE}
    alike = {(a, b) for a in seen for b in seen
             if a != b and diagnosis.ruled_out(seen[b], seen[a]) is None}
    assert alike == {("gradient-bias-regularized", "gradient-lambda-2m"),
                     ("gradient-lambda-2m", "gradient-bias-regularized")}


def test_the_causes_offered_are_the_mistake_and_its_kin_each_told_apart_by_a_symptom_or_a_twin():
    history, theta = toy_history(), ann.initial_weights(64, 8, 3, 917)
    assert set(catalogue.TRAINABLE) == {name for group in diagnosis.KIN for name in group}
    for name in ("cost-labels-from-1", "cost-mean", "gradient-lambda-2m", "delta3-sign",
                 "gradient-order-f"):                                 # one of each kin
        offered, measured = diagnosis.choices(name, history, theta, 1.6)
        assert 3 <= len(offered) <= 5 and name in offered, (name, offered)
        for other in set(offered) - {name}:
            assert other in diagnosis.kin(name) and (diagnosis.twins(name, other) or (
                diagnosis.ruled_out(measured[other], measured[name]))), (name, other)


def test_an_answer_is_a_number_among_those_offered_or_a_mistake_s_name_in_any_case():
    offered = ["delta3-sign", "grad-g-of-a2", "e-to-the-x"]
    assert diagnosis.picked(" 2 ", offered) == "grad-g-of-a2"
    assert diagnosis.picked("Delta3-SIGN", offered) == "delta3-sign"
    assert diagnosis.picked("cost-labels-1-to-k", offered) == "cost-labels-1-to-K"
    assert [diagnosis.picked(answer, offered) for answer in ("4", "0", "", "delta3")] == [None] * 4


def test_the_mistake_s_line_is_the_line_of_its_function_that_makes_it():
    for name in catalogue.TRAINABLE:
        made = catalogue.CATALOGUE[name]
        line = breaking.wrong_line(made)
        assert line in breaking.inspect.getsource(made.wrong) and line != \
            breaking.line_in(made)[2], name
    assert breaking.wrong_line(catalogue.CATALOGUE["cost-softmax"]).startswith("a3 = np.exp(z3)")
    assert breaking.wrong_line(catalogue.CATALOGUE["grad-g-of-a2"]) == \
        "delta2 = delta3 @ Theta2[:, 1:] * grad_g(a2[:, 1:])"


# ==== --break random =============================================================================

def answered(mistake, answers, toy_csvs, first_kin=False):
    """python ann.py --break random on the toy sets at a terminal (a pseudo-terminal), the hidden
    mistake being `mistake`; each answer typed when asked (a string, or a function of what the
    terminal has shown). first_kin: offer the first of its kin by name rather than a random
    few. Returns what the terminal showed, its lines ending in \\n."""
    code = (f"import random, sys; sys.path.insert(0, {ROOT!r}); import ann; "
            f"random.choice = lambda names: {mistake!r}; "
            + ("random.sample = lambda kin, k: list(kin)[:k]; " if first_kin else "")
            + "sys.exit(ann.main(sys.argv[1:]))")
    master, terminal = os.openpty()
    with subprocess.Popen([sys.executable, "-c", code, "--break", "random", "--train",
                           toy_csvs[0], "--test", toy_csvs[1], "--maxiter", "5", "--no-plot",
                           "--save", os.path.join(os.path.dirname(toy_csvs[0]), "r.png")],
                          stdin=terminal, stdout=terminal, stderr=terminal,
                          env=dict(os.environ, MPLBACKEND="agg", **ONE_THREAD)) as process:
        os.close(terminal)
        shown, answers = b"", list(answers)
        while select.select([master], [], [], 60)[0]:
            try:
                chunk = os.read(master, 4096)
            except OSError:                     # the terminal's other end closed
                break
            if not chunk:
                break
            shown += chunk
            if shown.rstrip().endswith(b"(a number or a name):"):
                answer = answers.pop(0) if answers else "\x04"     # else Ctrl-D: no answer
                answer = answer(shown.decode()) if callable(answer) else answer
                os.write(master, answer.encode() + b"\n" * (answer != "\x04"))
        os.close(master)
        assert process.wait(60) == 0, shown.decode()
    return shown.decode().replace("\r\n", "\n")


def offered(shown):
    """The causes offered, by number."""
    return dict(re.findall(r"^  (\d) (\S+) ", shown.split("Which of these made it?")[1],
                           re.MULTILINE))


@posix_only
def test_break_random_at_a_terminal_shows_the_symptoms_then_takes_a_name_in_any_case(toy_csvs):
    shown = answered("delta3-sign", ["DELTA3-Sign"], toy_csvs)
    before, after = shown.split("your choice (a number or a name):", 1)
    symptoms = before.split("A hidden mistake. Its symptoms")[1]
    assert re.search(r"the cost at iteration 0, as fmin_cg measures it: (\S+); ann\.py's \1\n",
                     symptoms), symptoms
    assert re.search(r"the gradient check .*: Theta1's part \S+ \(.*\), Theta2's part \S+ "
                     r"\(over 1: they point opposite ways\)\n", symptoms), symptoms
    assert "the cost rises: slope +" in symptoms and "the curves: fmin_cg stopped" in symptoms
    assert "delta3-sign" not in before.split("Which of these made it?")[0]   # hidden till then
    choices = offered(before)
    assert 3 <= len(choices) <= 5 and "delta3-sign" in choices.values()
    assert "\r  ann.py's own run: 5 iterations" in shown.replace("\n", "\r\n")  # redrawn line
    assert re.search(r"\nRight: delta3-sign\. Each other choice is ruled out by a symptom:\n" +
                     "".join(r"  \S+: .*(would|twin).*\n" for _ in range(len(choices) - 1)) +
                     r"delta3-sign, the sign of delta3 flipped: fmin_cg stopped", after), after


@full
@posix_only
def test_break_random_takes_a_twin_by_its_number_as_right_and_says_it_is_a_twin(toy_csvs):
    shown = answered("cost-labels-from-1", [lambda shown: {
        name: number for number, name in offered(shown).items()}["cost-labels-1-to-K"]],
        toy_csvs, first_kin=True)
    assert "\nRight, by its twin: cost-labels-1-to-K is the same mistake written another way, " \
           "1..K; this run's wrote it y - 1.\ncost-labels-from-1, labels counted from 1 (y - 1):" \
           in shown, shown


@posix_only
def test_break_random_asks_again_for_an_answer_it_cannot_read_and_says_what_rules_a_wrong_one_out(
        toy_csvs):
    shown = answered("delta3-sign", ["seven", "e-to-the-x"], toy_csvs)
    assert "\n  a number from 1 to " in shown and shown.count("your choice") == 2
    assert re.search(r"\nNot e-to-the-x: with it, the cost at iteration 0 would be \S+; this "
                     r"run's was \S+\.\ndelta3-sign, the sign of delta3 flipped", shown), shown


def test_the_figure_is_drawn_before_the_question_and_names_the_mistake_only_after_it(
        toy_csvs, tmp_path, capsys, monkeypatch):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    drawn, asked = [], []
    draw = FigureCanvasAgg.draw

    def drawing(canvas):
        drawn.append(canvas.figure._suptitle.get_text())
        return draw(canvas)

    def ask(prompt):
        live = made[0].live
        asked.append((drawn[-1], live.title.get_text(), made[0].panel.code.get_text()))
        return "delta3-sign"
    made = []
    monkeypatch.setattr(FigureCanvasAgg, "draw", drawing)
    monkeypatch.setattr(breaking.random, "choice", lambda names: "delta3-sign")
    monkeypatch.setattr(breaking, "asking", lambda: ask)
    original = breaking.Broken.before_training
    monkeypatch.setattr(breaking.Broken, "before_training", lambda self, live, history: (
        made.append(self), original(self, live, history))[1])
    run = main_in_process(capsys, "--break", "random", "--train", toy_csvs[0], "--test",
                          toy_csvs[1], "--maxiter", 5, "--no-plot", "--save", tmp_path / "f.png")
    assert run.returncode == 0, run.stdout + run.stderr
    (last_drawn, title, code), = asked
    assert last_drawn == title and title.startswith("which mistake is it? answer in the terminal")
    assert "delta3" not in title and code == ""
    assert made[0].live.title.get_text().splitlines()[-1].startswith("delta3-sign: kept weights")


def test_break_random_without_a_terminal_tells_the_mistake_without_asking(
        toy_csvs, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("delta3-sign\n"))      # piped, not typed
    run = main_in_process(capsys, "--break", "random", "--train", toy_csvs[0], "--test",
                          toy_csvs[1], "--maxiter", 5, "--no-plot", "--save", tmp_path / "r.png")
    assert run.returncode == 0 and "Which of these" not in run.stdout, run.stderr
    assert "(a hidden mistake; a vectorized gradient)" in run.stdout
    assert re.search(r"^(" + "|".join(map(re.escape, catalogue.TRAINABLE)) + r"), .*: "
                     r"(it trained|fmin_cg stopped|its cost became NaN)", run.stdout,
                     re.MULTILINE), run.stdout[-3000:]


@full
def test_on_the_galaxies_the_bias_regularized_gradient_changes_little(tmp_path):
    bias = run_ann("--break", "gradient-bias-regularized", "--maxiter", 100, "--no-plot",
                   "--save", tmp_path / "b.png", env=ONE_THREAD)
    lowest = re.search(r"Its test cost fell to (\S+), ann\.py's to (\S+) in as many", bias.stdout)
    assert bias.returncode == 0 and lowest, bias.stdout[-3000:] + bias.stderr
    # within 5 %: over OpenBLAS's kernels and 1 or 2 threads the two differ by 0.4-2.7 %
    assert abs(float(lowest.group(1)) - float(lowest.group(2))) < 0.05 * float(lowest.group(2))
