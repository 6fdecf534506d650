"""The notebook's guesses (ann.ipynb): each compared with what the learner's own run gave, and
drawn on its figure where one fits; a guess left empty gets a nudge, one of the wrong kind a
word saying what kind is wanted, never an error.

A learner writes a guess in a variable shipped as None (guess_zero_cost = None) before the cell
that reveals the answer. The reveal always says what the run gave; the guess adds a comparison.
Each reveal prints its lines and returns None, so that a notebook cell ending with one shows
the lines alone.
"""
import math
import numbers

NUDGE = ("No guess in {name} yet. Next time, write one there before running this cell: "
         "committing to an answer first is what makes the result stick.")


# ==== Reading a guess =============================================================================

def read_number(guess, name, low=-math.inf, high=math.inf):
    """The guess as a float, and what to say about it: (value, None) for a usable number,
    (None, a sentence) for an empty guess or one of the wrong kind or outside [low, high]."""
    if guess is None:
        return None, NUDGE.format(name=name)
    if isinstance(guess, str):
        text = guess.strip().rstrip("%").strip()
        example = text if is_finite_number(text) else "0.5"
        return None, (f"{name} is the text {guess!r}; a number is wanted, written without "
                      f"quotes: {name} = {example}")
    if isinstance(guess, bool) or not isinstance(guess, numbers.Real):
        return None, (f"{name} is {kind_of(guess)}; a single number is wanted, as in "
                      f"{name} = 0.5")
    value = float(guess)
    if not math.isfinite(value):
        return None, f"{name} is {value}; a finite number is wanted"
    if not low <= value <= high:
        lies = (f"is at least {low:g}" if high == math.inf else f"is at most {high:g}"
                if low == -math.inf else f"lies between {low:g} and {high:g}")
        return None, f"{name} is {value:g}; this one {lies}"
    return value, None


def read_choice(guess, name, choices, numbered=False):
    """The guess as one of choices (text, any case, or the start of one that no other shares;
    with numbered, also its place in choices, 0, 1, ...), and what to say: (choice, None), or
    (None, a sentence) for an empty guess, a guess of the wrong kind, or no such choice."""
    listed = ", ".join(repr(choice) for choice in choices)
    if guess is None:
        return None, NUDGE.format(name=name)
    if numbered and isinstance(guess, numbers.Integral) and not isinstance(guess, bool):
        if 0 <= guess < len(choices):
            return choices[int(guess)], None
        return None, f"{name} is {guess}; the classes are numbered 0 to {len(choices) - 1}"
    if not isinstance(guess, str):
        return None, (f"{name} is {kind_of(guess)}; one of {listed} is wanted, in quotes: "
                      f"{name} = {choices[0]!r}")
    text = guess.strip().lower()
    matching = [choice for choice in choices if choice.lower().startswith(text)] if text else []
    exact = [choice for choice in choices if choice.lower() == text]
    if exact or len(matching) == 1:
        return (exact or matching)[0], None
    if matching:
        return None, (f"{name} is {guess!r}, the start of {' and of '.join(map(repr, matching))}"
                      f": write more of it")
    return None, f"{name} is {guess!r}, which is none of {listed}"


def kind_of(guess):
    """What a guess is, said as a learner would: 'the list [1, 2]', 'True', 'a dict'."""
    if isinstance(guess, bool):
        return f"{guess} (yes or no)"
    if isinstance(guess, (list, tuple, set)):
        text = repr(guess)
        return f"the {type(guess).__name__} {text if len(text) <= 30 else text[:26] + ' ...'}"
    return f"a {type(guess).__name__}"


def is_finite_number(text):
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


# ==== Revealing the answer =======================================================================

def number(guess, actual, name, close, low=-math.inf, high=math.inf):
    """Reveal a number: what the run gave (actual), then the guess beside it, close if within
    `close` of it. low, high: the values a guess can take."""
    value, word = read_number(guess, name, low, high)
    print(f"The run gives {actual:.4g}.")
    print(word or f"Your guess, {value:.4g}, is {difference(value, actual, close, '{:.3g}')}.")


def percent(guess, fraction, name, close=5.0):
    """Reveal an accuracy: the run's (fraction, 0..1) as a percentage, and the guess beside it,
    close if within `close` points. A guess between 0 and 1 is read as a fraction, and said."""
    value, word = read_number(guess, name, 0.0, 100.0)
    print(f"The run gives {100 * fraction:.1f} %.")
    if value is not None and 0 < value <= 1:
        print(f"(Read {value:g} as a fraction, {100 * value:g} %: write {100 * value:g} for "
              f"{100 * value:g} %.)")
        value *= 100
    print(word or f"Your guess, {value:g} %, is "
                  f"{difference(value, 100 * fraction, close, '{:.1f} points')}.")


def iteration(guess, actual, name, maxiter, close=None):
    """Reveal an iteration 0..maxiter, the guess close if within `close` iterations (a tenth
    of maxiter unless given)."""
    close = maxiter / 10 if close is None else close
    value, word = read_number(guess, name, 0, maxiter)
    print(f"The run gives iteration {actual}.")
    print(word or f"Your guess, iteration {value:g}, is "
                  f"{difference(value, actual, close, '{:.0f} iterations', 'later', 'earlier')}.")


def choice(guess, actual, name, choices, numbered=False):
    """Reveal one of choices (actual), and whether the guess was it. numbered: a guess may be
    the choice's place in choices (a class's label)."""
    picked, word = read_choice(guess, name, choices, numbered)
    print(f"The run gives {actual!r}.")
    print(word or ("Your guess is right." if picked == actual else
                   f"Your guess, {picked!r}, is not it."))


def difference(value, actual, close, form, above="higher", below="lower"):
    """How far value is from actual, `form` giving the gap: 'right on it', 'close: 0.02
    higher than the run's', 'off: 120 iterations later than the run's' (close: within
    `close`; above, below: the words for a guess above or below)."""
    gap = value - actual
    if gap == 0:
        return "right on it"
    said = f"{form.format(abs(gap))} {above if gap > 0 else below} than the run's"
    return ("close: " if abs(gap) <= close else "off: ") + said


# ==== What a mistake did ==========================================================================

OUTCOMES = {"stops": "training stops within the first tenth of its iterations",
            "worse": "it trains on, but its kept weights do at least 2 points worse on the test "
                     "set",
            "same": "it trains on, and its kept weights do about as well (or better)"}


def outcome(broken, right, maxiter):
    """What a mistake did to training, one of OUTCOMES: broken and right are the histories
    (ann.History) of the run with the mistake and of ann.py's own, both of up to maxiter
    iterations."""
    if broken.iteration - 1 < maxiter / 10 or broken.best_iteration is None:
        return "stops"
    kept = broken.acc_test[broken.best_iteration]
    return "worse" if kept < right.acc_test[right.best_iteration] - 0.02 else "same"


# ==== Drawing a guess on a figure ================================================================

def draw_level(ax, guess, low=-math.inf, high=math.inf):
    """The guess as a dashed horizontal line on ax, labelled for its legend; a guess far off the
    plot (more than ten times its height beyond it) said in a note instead, so that the curves
    keep their scale; nothing if the guess is not a usable number (the reveal says why)."""
    value = read_number(guess, "", low, high)[0]
    if value is None:
        return
    bottom, top = ax.get_ylim()
    if bottom - 10 * (top - bottom) <= value <= top + 10 * (top - bottom):
        ax.axhline(value, color="tab:gray", linestyle="--", label=f"your guess, {value:g}")
    else:
        ax.text(0.02, 0.97 if value > top else 0.03, f"your guess, {value:g}, is far "
                f"{'above' if value > top else 'below'} the plot", transform=ax.transAxes,
                va="top" if value > top else "bottom", color="tab:gray",
                bbox=dict(facecolor="white", edgecolor="none", alpha=0.8))


def draw_iteration(ax, guess, maxiter):
    """The guessed iteration as a dashed vertical line on ax (a cost plot), with a note at its
    top; nothing if the guess is not an iteration 0..maxiter (the reveal says why)."""
    value = read_number(guess, "", 0, maxiter)[0]
    if value is not None:
        ax.axvline(value, color="tab:gray", linestyle="--", zorder=1)
        ax.annotate(f" your guess, {value:g} ", (value, 0.97), xycoords=("data", "axes fraction"),
                    va="top", ha="left" if value < 0.7 * maxiter else "right", color="tab:gray",
                    fontsize=11)
