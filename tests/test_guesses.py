"""companions/guesses.py: each of the notebook's reveals says what the run gave, compares a guess
with it, nudges an empty guess, says a word to one of the wrong kind, never raises; the guesses
that fit a figure are drawn on it; what a mistake did to training is named."""
import math
from types import SimpleNamespace

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
import pytest
from hypothesis import given, settings, strategies as st

from companions import guesses

NAMES = ("Elliptical", "Spiral", "Irregular")


def said(capsys, reveal, *args, **kwargs):
    """What a reveal printed; it returns None, so that a notebook cell shows the lines alone."""
    assert reveal(*args, **kwargs) is None
    return capsys.readouterr().out


REVEALS = {  # each reveal, called with a guess
    "number": lambda guess: guesses.number(guess, 2.0794, "guess_zero_cost", close=0.1, low=0),
    "percent": lambda guess: guesses.percent(guess, 0.763, "guess_kept_accuracy"),
    "iteration": lambda guess: guesses.iteration(guess, 267, "guess_lowest_iteration", 600),
    "choice": lambda guess: guesses.choice(guess, "Irregular", "guess_hardest_class", NAMES,
                                           numbered=True),
}


@pytest.mark.parametrize("kind", REVEALS)
def test_an_empty_guess_gets_a_nudge_beside_the_runs_value(capsys, kind):
    out = said(capsys, REVEALS[kind], None)
    assert out.startswith("The run gives ")
    assert "No guess in guess_" in out and "yet" in out


@pytest.mark.parametrize("kind, guess, expected", [
    ("number", 2, "Your guess, 2, is close: 0.0794 lower than the run's."),
    ("number", 1.5, "Your guess, 1.5, is off: 0.579 lower than the run's."),
    ("number", 2.0794, "Your guess, 2.079, is right on it."),
    ("percent", 74, "Your guess, 74 %, is close: 2.3 points lower than the run's."),
    ("percent", 90, "Your guess, 90 %, is off: 13.7 points higher than the run's."),
    ("iteration", 450, "Your guess, iteration 450, is off: 183 iterations later than the run's."),
    ("iteration", 250, "Your guess, iteration 250, is close: 17 iterations earlier than the "
                       "run's."),
    ("choice", "Irregular", "Your guess is right."),
    ("choice", "irr", "Your guess is right."),
    ("choice", 2, "Your guess is right."),
    ("choice", " spiral ", "Your guess, 'Spiral', is not it."),
])
def test_a_guess_is_compared_with_the_runs_value(capsys, kind, guess, expected):
    out = said(capsys, REVEALS[kind], guess)
    assert out.splitlines()[-1] == expected


def test_the_run_gives_its_value_first_in_the_reveals_units(capsys):
    assert said(capsys, REVEALS["number"], 2).splitlines()[0] == "The run gives 2.079."
    assert said(capsys, REVEALS["percent"], 74).splitlines()[0] == "The run gives 76.3 %."
    assert said(capsys, REVEALS["iteration"], 9).splitlines()[0] == "The run gives iteration 267."
    assert said(capsys, REVEALS["choice"], 0).splitlines()[0] == "The run gives 'Irregular'."


def test_a_percentage_guessed_as_a_fraction_is_read_as_one_and_said(capsys):
    out = said(capsys, REVEALS["percent"], 0.74)
    assert "(Read 0.74 as a fraction, 74 %: write 74 for 74 %.)" in out
    assert out.splitlines()[-1] == "Your guess, 74 %, is close: 2.3 points lower than the run's."


@pytest.mark.parametrize("kind, guess, word", [
    ("number", "2.08", "guess_zero_cost is the text '2.08'; a number is wanted, written without "
                       "quotes: guess_zero_cost = 2.08"),
    ("percent", "74%", "written without quotes: guess_kept_accuracy = 74"),
    ("number", "about two", "written without quotes: guess_zero_cost = 0.5"),
    ("number", True, "guess_zero_cost is True (yes or no); a single number is wanted"),
    ("number", [1, 2], "guess_zero_cost is the list [1, 2]; a single number is wanted"),
    ("number", {"a": 1}, "guess_zero_cost is a dict; a single number is wanted"),
    ("number", math.nan, "guess_zero_cost is nan; a finite number is wanted"),
    ("number", -1, "guess_zero_cost is -1; this one is at least 0"),
    ("percent", 120, "guess_kept_accuracy is 120; this one lies between 0 and 100"),
    ("iteration", 601, "guess_lowest_iteration is 601; this one lies between 0 and 600"),
    ("choice", 1.5, "guess_hardest_class is a float; one of 'Elliptical', 'Spiral', "
                    "'Irregular' is wanted, in quotes: guess_hardest_class = 'Elliptical'"),
    ("choice", 3, "guess_hardest_class is 3; the classes are numbered 0 to 2"),
    ("choice", "Lenticular", "guess_hardest_class is 'Lenticular', which is none of"),
    ("choice", "", "guess_hardest_class is '', which is none of"),
])
def test_a_guess_of_the_wrong_kind_gets_a_word_saying_what_is_wanted(capsys, kind, guess, word):
    out = said(capsys, REVEALS[kind], guess)
    assert out.startswith("The run gives ")
    assert word in out.splitlines()[-1] and "Your guess" not in out


def test_a_choice_by_the_start_of_a_name_needs_the_start_of_only_one(capsys):
    choices = ("stops", "worse", "same")
    assert guesses.read_choice("s", "g", choices) == (
        None, "g is 's', the start of 'stops' and of 'same': write more of it")
    assert guesses.read_choice("st", "g", choices) == ("stops", None)
    assert guesses.read_choice(1, "g", choices)[0] is None            # numbers are for classes
    assert "in quotes" in guesses.read_choice(1, "g", choices)[1]


@pytest.mark.filterwarnings("error")
@settings(max_examples=200, deadline=None)
@given(guess=st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(),
                       st.lists(st.integers(), max_size=4), st.complex_numbers(),
                       st.dictionaries(st.text(max_size=3), st.integers(), max_size=2)))
def test_no_guess_of_any_kind_raises_or_warns(guess):
    for reveal in REVEALS.values():
        reveal(guess)
    guesses.draw_level(AXES, guess)
    guesses.draw_iteration(AXES, guess, 600)


AXES = Figure().add_subplot()     # one plot for every example: a new one each costs more


def test_a_usable_guess_is_drawn_on_its_plot_and_any_other_is_not():
    fig, ax = plt.subplots()
    guesses.draw_level(ax, 0.5)
    guesses.draw_iteration(ax, 450, 600)
    for nothing in (None, "450", math.inf, [1]):
        guesses.draw_level(ax, nothing)
        guesses.draw_iteration(ax, nothing, 600)
    guesses.draw_iteration(ax, 601, 600)
    level, iteration = ax.get_lines()
    assert list(level.get_ydata()) == [0.5, 0.5] and level.get_label() == "your guess, 0.5"
    assert list(iteration.get_xdata()) == [450, 450]
    assert [text.get_text() for text in ax.texts] == [" your guess, 450 "]
    plt.close(fig)


def test_a_level_far_off_the_plot_is_said_there_and_leaves_the_curves_their_scale():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 0.25])
    limits = ax.get_ylim()
    guesses.draw_level(ax, 1e9)
    assert ax.get_ylim() == limits and len(ax.get_lines()) == 1
    guesses.draw_level(ax, -1e9)
    assert [text.get_text() for text in ax.texts] == ["your guess, 1e+09, is far above the plot",
                                                      "your guess, -1e+09, is far below the plot"]
    guesses.draw_level(ax, 2.5)                  # ten heights above: still drawn
    assert len(ax.get_lines()) == 2
    plt.close(fig)


def history(iterations, best_iteration, kept_accuracy):
    """As much of an ann.History as outcome() reads."""
    acc_test = [0.3] * (iterations + 1)
    if best_iteration is not None:
        acc_test[best_iteration] = kept_accuracy
    return SimpleNamespace(iteration=iterations + 1, best_iteration=best_iteration,
                           acc_test=acc_test)


@pytest.mark.parametrize("iterations, kept, expected", [
    (2, 0.333, "stops"), (59, 0.75, "stops"), (60, 0.70, "worse"), (600, 0.74, "worse"),
    (330, 0.75, "same"), (600, 0.80, "same"),
])
def test_what_a_mistake_did_is_named_from_both_runs(iterations, kept, expected):
    right = history(600, 267, 0.763)
    assert guesses.outcome(history(iterations, iterations // 2, kept), right, 600) == expected
    assert expected in guesses.OUTCOMES
