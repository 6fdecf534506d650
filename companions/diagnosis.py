"""--break's symptoms: what a mistake does where every run starts, measured and drawn under the
figure, and the causes --break random asks a learner to choose among, each told apart by one.

The symptoms are those a learner can measure on a network of their own, at the initial weights,
for the cost and the gradient that fmin_cg is given (ann.py's, with the mistake made in them)
beside ann.py's own: the cost at iteration 0 on the training set; the gradient check (article
section 5) for Theta1's part and for Theta2's, weight by weight on a few training galaxies; and
the cost along the way the gradient calls downhill, where fmin_cg looks for its first step:
how steeply it falls there against the slope the gradient claims, and where it is further on.
"""
import random
import textwrap
from collections import namedtuple

import numpy as np

import ann
from companions import catalogue
from companions.catalogue import CATALOGUE, TRAINABLE

AGREE = 1e-9      # a gradient check's relative difference below this: they agree, as the article
EXAMPLES = 20     # the gradient check's training galaxies, spread through the set
WEIGHTS = 32      # Theta1's weights it checks beside Theta1's bias weights (and all of Theta2's)
EPS = 1e-5        # the step of the slope's central difference, along a direction of length 1
ROOM = 3.0        # inches under the figure for the symptoms
Symptoms = namedtuple("Symptoms", "cost parts slope claimed farther")
# cost: J at the initial weights; parts: the gradient check's relative difference for Theta1's
# part and Theta2's; slope: the cost's along the way the gradient calls downhill; claimed: the
# slope the gradient claims there (minus its length); farther: the cost's change a step `reach`
# along that way, where the plot of it ends

# Mistakes a learner could take for one another: the same step of the network, or the same slip.
KIN = (("cost-labels-from-1", "cost-labels-1-to-K", "gradient-labels-from-1",
        "gradient-labels-1-to-K", "cost-no-1-minus-y"),
       ("cost-softmax", "gradient-softmax", "cost-no-1-minus-y", "cost-mean", "delta3-sign"),
       ("cost-no-m", "gradient-no-m", "cost-lambda-m", "gradient-lambda-2m", "cost-mean",
        "cost-bias-regularized", "gradient-bias-regularized"),
       ("e-to-the-x", "grad-g-of-x", "grad-g-of-a2", "delta2-bias-column", "delta3-sign"),
       ("reshape-order-f", "theta2-first", "gradient-order-f", "delta2-bias-column",
        "gradient-softmax"))


def with_mistake(name, function):
    """ann.py's `function`, called with the mistake `name` made, without numpy's warnings: a
    broken network's overflow is what it shows."""
    def call(*args):
        with catalogue.made(name), catalogue.quiet():
            return getattr(ann, function)(*args)
    return call


def functions(name):
    """The cost and the gradient fmin_cg is given with the mistake `name` made (None: ann.py's
    own): for a mistake of the gradient, the mistake, else ann.py's vectorized gradient."""
    if name is None:
        return ann.cost_function, ann.gradient_vectorized
    gradient = "gradient" if CATALOGUE[name].function == "gradient" else "gradient_vectorized"
    return with_mistake(name, "cost_function"), with_mistake(name, gradient)


def arguments(history):
    """The arguments after theta that ann.train gives the cost and the gradient."""
    return (*history.sizes, history.X_train, history.y_train[:, None], history.lmbda)


def measure(name, history, theta, reach):
    """The Symptoms of the mistake `name` (None: ann.py's own) at weights theta, on history's
    training set; reach: how far along the way down to look (reach())."""
    cost, gradient = functions(name)
    args = arguments(history)
    J, down = cost(theta, *args), -gradient(theta, *args)
    unit = down / (np.linalg.norm(down) or 1.0)
    slope = (cost(theta + EPS * unit, *args) - cost(theta - EPS * unit, *args)) / (2 * EPS)
    return Symptoms(J, check(cost, gradient, history, theta), slope, -np.linalg.norm(down),
                    cost(theta + reach * unit, *args) - J)


def check(cost, gradient, history, theta):
    """The gradient check (article section 5) for Theta1's part and Theta2's: the gradient
    against ann.py's numerical_gradient of the cost, on EXAMPLES training galaxies, for Theta1's
    bias weights and WEIGHTS of its others drawn at random, and for all of Theta2's. Returns
    the relative difference of each part."""
    n, h, K = history.sizes
    rows = np.unique(np.linspace(0, len(history.y_train) - 1, EXAMPLES).astype(int))
    args = (n, h, K, history.X_train[rows], history.y_train[rows][:, None], history.lmbda)
    split, bias = h * (n + 1), np.arange(0, h * (n + 1), n + 1)
    others = np.setdiff1d(np.arange(split), bias)
    drawn = np.random.RandomState(0).choice(others, min(WEIGHTS, len(others)), replace=False)
    backprop = gradient(theta, *args)
    differences = []
    for part in (np.concatenate((bias, np.sort(drawn))), np.arange(split, len(theta))):
        def on_part(values, part=part):         # the cost as a function of the part's weights
            moved = theta.copy()
            moved[part] = values
            return cost(moved, *args)
        differences.append(relative_difference(backprop[part],
                                               ann.numerical_gradient(on_part, theta[part])))
    return tuple(differences)


def relative_difference(a, b):
    """|a - b| / |a + b|, as ann.py's check_gradients measures it; over 1: opposite signs."""
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a + b), 1e-300))


def way_down(name, history, theta, reach):
    """The cost, less its start, at steps 0..reach along the way the gradient calls downhill
    (name: the mistake, None for ann.py's): (steps, costs, the slope the gradient claims)."""
    cost, gradient = functions(name)
    args = arguments(history)
    down = -gradient(theta, *args)
    steps = np.linspace(0, reach, 21)
    unit = down / (np.linalg.norm(down) or 1.0)
    J = np.array([cost(theta + t * unit, *args) for t in steps])
    return steps, J - J[0], -np.linalg.norm(down)


def reach(history, theta):
    """How far to look along ann.py's way down: the first of 0.1, 0.2, 0.4, ... at which its
    cost is back above where it started (at most 6.4), so that its dip fits the plot."""
    cost, gradient = functions(None)
    args = arguments(history)
    J0, down = cost(theta, *args), -gradient(theta, *args)
    unit = down / (np.linalg.norm(down) or 1.0)
    t = 0.1
    while t < 6.4 and cost(theta + t * unit, *args) <= J0:
        t *= 2
    return t


# ==== In words ===================================================================================

def check_words(difference):
    """A gradient check's relative difference, and what it says."""
    return f"{difference:.1e} " + ("(they agree)" if difference < AGREE else
                                   "(over 1: they point opposite ways)" if difference > 1 else
                                   "(they differ)")


def ratio(symptoms):
    """The cost's slope along the way the gradient calls downhill over the slope it claims."""
    return symptoms.slope / symptoms.claimed if symptoms.claimed else 0.0


def rate(symptoms):
    """How fast the cost falls along the way the gradient calls downhill, against what the
    gradient claims: 'at the rate the gradient claims', 'at 70% of ...', '2,700 times ...'."""
    fraction = ratio(symptoms)
    if abs(fraction - 1) < 0.01:
        return "at the rate the gradient claims"
    if fraction < 1:
        return f"at {100 * fraction:.2g}% of the rate the gradient claims"
    times = f"{fraction:,.0f}" if fraction >= 10 else f"{fraction:.2g}"
    return f"{times} times as fast as the gradient claims"


def rises(symptoms):
    """Does the cost rise (or stay) along the way the gradient calls downhill?"""
    return not symptoms.slope < 0


def described(symptoms, ann_symptoms):
    """The symptoms as lines of text, beside ann.py's."""
    slope = f"slope {symptoms.slope:+.2g} where the gradient claims {symptoms.claimed:.2g}"
    return [f"the cost at iteration 0, as fmin_cg measures it: {symptoms.cost:#.6g}; ann.py's "
            f"{ann_symptoms.cost:#.6g}",
            f"the gradient check (below {AGREE:.0e} they agree): Theta1's part "
            f"{check_words(symptoms.parts[0])}, Theta2's part {check_words(symptoms.parts[1])}",
            "along the gradient's way down the cost " + (
                f"rises: {slope}" if rises(symptoms) else f"falls {rate(symptoms)} ({slope})")]


# ==== The causes to choose among (--break random) =================================================

def twins(a, b):
    """Two ways of writing one mistake: the same function, the same title but its brackets."""
    return a != b and CATALOGUE[a].function == CATALOGUE[b].function and \
        CATALOGUE[a].title.split(" (")[0] == CATALOGUE[b].title.split(" (")[0]


def kin(name):
    """The mistakes a learner could take for name."""
    return sorted({other for group in KIN if name in group for other in group} - {name})


def choices(name, history, theta, reach, count=4):
    """The causes --break random offers: name and up to count - 1 of its kin that a symptom
    tells apart from it (or its twin), in random order; and the Symptoms of each, by name.
    theta, reach: the initial weights, and how far along the way down to look."""
    measured = {name: measure(name, history, theta, reach)}
    for other in kin(name):
        measured[other] = measure(other, history, theta, reach)
    apart = [other for other in kin(name) if twins(name, other)
             or ruled_out(measured[other], measured[name])]
    chosen = random.sample(apart, min(count - 1, len(apart))) + [name]
    random.shuffle(chosen)
    return chosen, measured


def ruled_out(would, seen):
    """Which symptom rules a mistake out, given the Symptoms it would show (would) and those
    seen: a clause ('the cost at iteration 0 would be ...; this run's was ...'), or None if
    none does."""
    if abs(would.cost - seen.cost) > 1e-5 * max(abs(would.cost), abs(seen.cost)):
        return (f"the cost at iteration 0 would be {would.cost:#.6g}; this run's was "
                f"{seen.cost:#.6g}")
    for part, a, b in zip(("Theta1's", "Theta2's"), would.parts, seen.parts):
        if (a < AGREE) != (b < AGREE) or a >= AGREE and abs(np.log10(a / b)) > 0.5:  # 3 times
            return (f"{part} part of the gradient check would be {check_words(a)}; here it is "
                    f"{check_words(b)}")
    if rises(would) != rises(seen):
        return (f"the cost would {'rise' if rises(would) else 'fall'} along the gradient's way "
                f"down; here it {'rises' if rises(seen) else 'falls'}")
    if not rises(seen) and ratio(would) > 0 and abs(np.log(ratio(would) / ratio(seen))) > \
            np.log(1.5):
        return (f"the cost would fall {rate(would)} along the gradient's way down; here it "
                f"falls {rate(seen)}")
    if abs(would.farther - seen.farther) > 0.3 * max(abs(would.farther), abs(seen.farther)):
        return (f"where the plot of the way down ends, the cost would be {would.farther:+.2f} "
                f"from its start; here it is {seen.farther:+.2f}")
    return None


def picked(answer, offered):
    """The mistake a learner's answer names: a number among the offered, or a name in any case
    (any trainable mistake's); None if it names none."""
    answer = answer.strip()
    if answer.isdigit():
        return offered[int(answer) - 1] if 0 < int(answer) <= len(offered) else None
    names = {name.lower(): name for name in TRAINABLE}
    return names.get(answer.lower())


# ==== On the figure ==============================================================================

class Panel:
    """The symptoms, drawn in the room kept under live's figure (a FigureLayout), in either of
    its arrangements: a heading (what the symptoms tell, once training is done) and the cause;
    the cost at iteration 0; the gradient check by part; the cost along the gradient's way down,
    ann.py's beside; and under them the mistake's line above ann.py's, where the two fit.
    Heights in inches from the room's bottom: the two lines, 0-0.45; the plots' labels; the
    plots from PLOTS, HEIGHT high; their titles; the heading and the cause at the top, two lines
    each at most."""

    PLOTS, HEIGHT = 1.05, 0.75

    def __init__(self, live, symptoms, ann_symptoms, ways):
        self.live, fig, text = live, live.fig, live.TEXT
        live.keep_room_below(ROOM)
        self.words = fig.add_axes((0, 0, 1, 1))
        self.words.set_axis_off()
        self.words.set_axes_locator(self.place(lambda width: (0.3, 0, width - 0.6, ROOM)))
        self.heading = self.words.text(0, 1 - 0.1 / ROOM, "The symptoms, where this run and "
                                       "ann.py's start (iteration 0):", va="top", fontsize=12,
                                       fontweight="bold", linespacing=1.2)
        self.cause = self.words.text(0, 1 - 0.4 / ROOM, "", va="top", fontsize=text,
                                     linespacing=1.2)
        top = (self.PLOTS + self.HEIGHT) / ROOM
        self.words.text(0, top, "the cost at iteration 0,\nas fmin_cg measures it:\n"
                        f"  this run  {symptoms.cost:#.6g}\n  ann.py's  {ann_symptoms.cost:#.6g}",
                        va="top", fontsize=text, linespacing=1.4)
        self.code = self.words.text(0, 0.05 / ROOM, "", va="bottom", fontsize=text,
                                    family="monospace", linespacing=1.5)
        self.check_plot(symptoms, ann_symptoms)
        self.way_plot(*ways)
        live.changing.extend([self.heading, self.cause, self.code])   # redrawn at the end

    def place(self, box):
        """An axes locator: box(width) gives (left, bottom, width, height) in inches from the
        figure's bottom left corner, for its width in inches at the time it is drawn."""
        from matplotlib.transforms import Bbox

        def locate(ax, renderer):
            width, height = self.live.fig.get_size_inches()
            left, bottom, w, h = box(width)
            return Bbox.from_bounds(left / width, bottom / height, w / width, h / height)
        return locate

    def plot_box(self, which):
        """A locator for the plot `which` (0: the gradient check, 1: the way down): the words
        on the left take a quarter of the width, at most 2.1 inches; the plots share the rest
        45 : 55, each leaving room on its left for its tick labels."""
        def box(width):
            inner = width - 0.6
            words = min(0.26 * inner, 2.1)
            rest = inner - words
            left, share, ticks = ((0, 0.45, 0.75), (0.45, 0.55, 0.6))[which]
            return (0.3 + words + left * rest + ticks, self.PLOTS,
                    share * rest - ticks - 0.3 + 0.15 * which, self.HEIGHT)
        return self.place(box)

    def check_plot(self, symptoms, ann_symptoms):
        """The gradient check's relative difference for each part, ann.py's in grey below."""
        ax = self.live.fig.add_axes((0, 0, 1, 1))
        ax.set_axes_locator(self.plot_box(0))
        ax.set_xscale("log")
        ax.set_xlim(1e-13, 1e6)
        ax.set_ylim(-0.6, 1.9)
        for y, ours, theirs in zip((1, 0), symptoms.parts, ann_symptoms.parts):
            ours, theirs = max(ours, 1e-13), max(theirs, 1e-13)
            ax.barh(y + 0.12, ours, height=0.4, left=1e-13,
                    color="tab:blue" if ours < AGREE else "tab:red")
            ax.barh(y - 0.25, theirs, height=0.2, left=1e-13, color="0.7")
            ax.text(1.5e-13, y + 0.12, f"{ours:.1e}", va="center", fontsize=self.live.TEXT,
                    color="white" if ours > 1e-9 else "black")
        ax.axvline(AGREE, color="0.3", linestyle="--", linewidth=1)
        ax.set_yticks([1, 0], ["Theta1", "Theta2"], fontsize=self.live.TEXT)
        ax.set_xticks([1e-12, 1e-7, 1e-2, 1e3])
        ax.tick_params(labelsize=self.live.TEXT)
        ax.set_title("gradient check, by part", fontsize=self.live.TEXT)
        ax.set_xlabel("relative difference (grey: ann.py's)", fontsize=self.live.TEXT)
        for text, side in (("agree ", "right"), (" differ", "left")):
            ax.text(AGREE, 1.6, text, ha=side, va="center", fontsize=self.live.TEXT)

    def way_plot(self, ours, theirs):
        """The cost along the way each gradient calls downhill, from the first weights: this
        run's and ann.py's; dashed, the slope each gradient claims. A curve that leaves the
        plot is drawn up to where it leaves."""
        ax = self.live.fig.add_axes((0, 0, 1, 1))
        ax.set_axes_locator(self.plot_box(1))
        (steps, J, slope), (_, ann_J, ann_slope) = ours, theirs
        low = min(ann_J.min(), ann_slope * steps[5], slope * steps[5])
        high = max(ann_J.max(), 0.0)
        span = high - low or 1.0
        finite = J[np.isfinite(J)]
        bottom = max(min(low, *finite), low - 1.5 * span) - 0.05 * span
        top = min(max(high, *finite), high + 1.5 * span) + 0.05 * span
        outside = np.flatnonzero(~((J >= bottom) & (J <= top)))
        shown = J.copy()
        shown[outside[0] + 1 if len(outside) else len(J):] = np.nan
        ax.plot(steps, ann_J, color="0.6", linewidth=2.5, label="ann.py's")
        ax.plot(steps, shown, color="black", linewidth=1.5, label="this run")
        if len(outside):
            below = J[outside[0]] < bottom
            ax.annotate(f"this run {'falls' if below else 'rises'} off the plot",
                        (steps[outside[0]], bottom if below else top),
                        xytext=(4, 3 if below else -3), textcoords="offset points",
                        va="bottom" if below else "top", fontsize=self.live.TEXT)
        for claimed, color in ((ann_slope, "0.6"), (slope, "black")):
            ax.plot(steps[:6], claimed * steps[:6], color=color, linestyle="--", linewidth=1)
        ax.set_ylim(bottom, top)
        ax.set_xlim(0, steps[-1])
        ax.tick_params(labelsize=self.live.TEXT)
        ax.set_title("cost along the gradient's way down", fontsize=self.live.TEXT)
        ax.set_xlabel("step (dashed: the slope claimed)", fontsize=self.live.TEXT)
        ax.legend(fontsize=self.live.TEXT, framealpha=0.85, edgecolor="none", loc="best",
                  handlelength=1.2, borderaxespad=0.2, labelspacing=0.2, borderpad=0.2)

    def explain(self, heading, cause=""):
        """Say what the symptoms tell, above them, and the cause under that, each in two lines
        if need be (a character is about 0.55 of its size wide, 0.6 in bold)."""
        width = (self.live.fig.get_size_inches()[0] - 0.6) * 72
        lines = textwrap.wrap(heading, int(width / (0.6 * 12)))
        self.heading.set_text("\n".join(lines))
        self.cause.set_y(1 - (0.18 + 0.21 * len(lines)) / ROOM)
        self.cause.set_text("\n".join(textwrap.wrap(cause, int(width / (0.55 * self.live.TEXT)))))

    def compare(self, lines):
        """The mistake's line and ann.py's, one above the other, where they fit the figure's
        width (a monospace character is 0.6 of its size wide); else where to find them."""
        room = (self.live.fig.get_size_inches()[0] - 0.6) * 72 / (0.6 * self.live.TEXT)
        self.code.set_text("\n".join(lines) if max(map(len, lines)) <= room else
                           "the mistake's line and ann.py's: in the terminal's closing words")
