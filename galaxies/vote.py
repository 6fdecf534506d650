"""The simulated Galaxy Zoo vote: what 40 volunteers answer on seeing a galaxy, and the
plurality that becomes its label."""
import numpy as np

from galaxies.looking import asymmetry, look, nucleus_offset, second_source, structure

# The tutorial's labels are not the truth about each galaxy: they are what Galaxy Zoo volunteers
# answered on looking at it (Lintott et al. 2008; Willett et al. 2013), in a sharper, deeper
# colour image than the 32 x 32 gray thumbnail (see render_stamp). Each galaxy was seen by about
# 40 of them, who disagree: a faint-armed disk looks smooth to some and featured to others, a
# lopsided one 'disturbed' to some. So here every rendered galaxy is shown to simulated
# volunteers, and its label is what most of them answer, whatever model drew it.
N_VOLUNTEERS = 40           # GZ2: a median of 44 classifications per galaxy (Willett et al. 2013)
# Where each question tips: the value of a cue at which half the volunteers say yes, and the
# change in it that turns that half into 84 % (one standard deviation of the scatter of
# judgement between volunteers). Chosen by hand from the cues' spread over the three models
# (a smooth elliptical's F is below 0.035, a spiral's mostly 0.035-0.13; an irregular's A is
# 0.15-0.45, a spiral's 0.05-0.25, its nucleus offset 1-5 px against a spiral's 0.2-1 px), so
# that clear cases get the class of their model and the galaxies in between split votes.
ODD_AT, ODD_STEP = 0.20, 0.065              # asymmetry A: disturbed, irregular -> Irregular
OFFCENTRE_AT, OFFCENTRE_STEP = 1.2, 0.4     # nucleus offset (px): lopsided, clumpy -> Irregular
MERGER_AT, MERGER_STEP = 45.0, 30.0         # contrast of a close companion: merging -> Irregular
FEATURED_AT, FEATURED_STEP = 0.04, 0.012    # structure F, as seen in colour: arms -> Spiral
# Blue arms stand out in colour, red ones hardly: the structure a volunteer sees is F times
# exp(COLOUR_GAIN * (blue - 0.5)), from 0.47 F for a red galaxy to 2.1 F for a blue one.
COLOUR_GAIN = 1.5


def volunteer_votes(rng, view, blue=0.5, n=N_VOLUNTEERS):
    """Votes (E, S, I) of n simulated volunteers for one galaxy, seen as `view` (an inverted
    stamp) with blueness `blue`.

    Each volunteer goes down a short version of the Galaxy Zoo decision tree: is anything odd
    about it, disturbed, irregular or merging? -> Irregular; if not, does it show features
    such as arms or a bar? -> Spiral; if not, it is smooth -> Elliptical. The odder it looks
    (its asymmetry A, a nucleus off the centre of the light, a close bright companion) and the
    more structure it shows (F, brought out by blue light), the more of them say yes; each
    volunteer's judgement adds its own normal scatter, so that clear galaxies get nearly
    unanimous votes and those near a tipping point split ones."""
    seen = look(view)
    odd = ((asymmetry(seen) - ODD_AT) / ODD_STEP
           + (nucleus_offset(seen) - OFFCENTRE_AT) / OFFCENTRE_STEP
           + max(second_source(seen, within=12) - MERGER_AT, 0) / MERGER_STEP)
    featured = (structure(seen) * np.exp(COLOUR_GAIN * (blue - 0.5)) - FEATURED_AT) / FEATURED_STEP
    says_odd = odd + rng.standard_normal(n) > 0
    says_featured = featured + rng.standard_normal(n) > 0
    answer = np.where(says_odd, 2, np.where(says_featured, 1, 0))
    return np.bincount(answer, minlength=3)


def plurality(rng, votes):
    """The class most volunteers chose; a tie is settled by lot."""
    best = np.flatnonzero(votes == votes.max())
    return int(best[0] if best.size == 1 else rng.choice(best))
