#!/usr/bin/env python3
"""Render the project's own synthetic galaxy images from simple physical models, labelled by a
simulated Galaxy Zoo vote.

Each image is a 32 x 32 gray-scale "postage stamp" in the format of the tutorial's Galaxy Zoo
set: one galaxy per CSV row, ``label,p0,...,p1023`` (integers 0..255, row-major), no header,
INVERTED (light sky, dark galaxy), rows sorted by class. Models and classes:

    0 = Elliptical  Sersic profile (n 2-6) with a slightly offset, twisted, lopsided envelope,
                    random axis ratio and orientation, now and then a faint tidal plume
    1 = Spiral      lopsided, patchy, cut-off exponential disk + Sersic bulge (+ sometimes a
                    bar), 2-4 logarithmic arms with faint knots, random inclination
    2 = Irregular   patchy lopsided dwarfs with a few clumps, disturbed disks, merging pairs,
                    normal-looking galaxies with tidal tails and warped disks with a neighbour

How an image is made (``render_stamp``):
  1. the galaxy's surface brightness is evaluated on a 4x supersampled grid that is a few
     pixels larger than the stamp (so light from just outside the frame can spill in);
  2. sometimes a foreground star or a small neighbouring galaxy is added;
  3. it is blurred with a Moffat point-spread function (FWHM 1.1-2.1 px), binned to the
     pixel grid and cropped to 32 x 32;
  4. noise is added in LINEAR flux (sky noise plus a little source photon noise), slightly
     correlated between neighbouring pixels as in resampled survey images;
  5. the flux is shown through an asinh stretch (as the SDSS colour images used by Galaxy
     Zoo are, Lupton et al. 2004, PASP 116, 133), softly clipped at the sky end, inverted,
     rounded and clipped to 0..255.

How it gets its label (``volunteer_votes``): like the tutorial's, the label is not the model
that drew the galaxy but what 40 simulated Galaxy Zoo volunteers answer on seeing it in a
sharper, deeper colour view (without the star or neighbour), each with their own judgement:
the plurality. Most galaxies keep their model's class; about one in eight, between two classes
or told apart by what the gray thumbnail does not show (colour, fine detail), does not.
galaxies/README.md explains it and compares the result with the real images.

Usage:
    python galaxies/make_galaxies.py             # writes the project's train.csv and test.csv
    python galaxies/make_galaxies.py --seed 7 --n-train 100 --n-test 30 --outdir /tmp/gal
    python galaxies/make_galaxies.py --preview docs/galaxies.png
    python galaxies/make_galaxies.py --stats train.csv [test.csv]

Only numpy and scipy are needed to generate; matplotlib is imported for --preview only.
"""
import argparse
import os
import sys
import time

import numpy as np

# The project's root, one folder up: run as a script, the generator imports its own modules as
# the package galaxies/, and what it shares with ann.py (the CSV reader, the atomic writer, the
# option types) from companions/, as ann.py does, whatever folder it is run from.
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
from companions.data import UserError, write_atomically  # noqa: E402
from companions.options import positive_int  # noqa: E402
from galaxies.camera import render_stamp  # noqa: E402
from galaxies.models import CLASS_NAMES, N  # noqa: E402
from galaxies.realism import print_stats  # noqa: E402
from galaxies.vote import plurality, volunteer_votes  # noqa: E402

DEFAULT_SEED = 2024
DEFAULT_N_TRAIN = 900       # per class, as in the tutorial's set
DEFAULT_N_TEST = 225


# --------------------------------------------------------------------------- data sets and files
def make_set(seed_seq, n_per_class, with_votes=False):
    """Images and labels, sorted by class, n_per_class of each.

    Galaxies of a model drawn at random (E, S, I equally often) are rendered and voted on until
    every class has its quota: the label is the vote's outcome, and a galaxy whose voted class
    is already full is put aside, as the tutorial's author kept 900 of each class. With
    with_votes, also returns for each galaxy the model that drew it and its votes (E, S, I)."""
    rng = np.random.default_rng(seed_seq)
    kept = [[] for _ in range(3)]
    drawn = 0
    while min(len(k) for k in kept) < n_per_class:
        drawn += 1
        if drawn > 100 * n_per_class + 1000:      # cannot happen with sensible vote settings
            raise RuntimeError("the vote almost never gives one of the classes")
        model = int(rng.integers(3))
        stamp, view, blue = render_stamp(rng, model, with_view=True)
        votes = volunteer_votes(rng, view, blue)
        label = plurality(rng, votes)
        if len(kept[label]) < n_per_class:
            kept[label].append((stamp.ravel(), model, votes))
    X = np.array([row[0] for k in kept for row in k], dtype=np.uint8).reshape(-1, N * N)
    y = np.repeat(np.arange(3), n_per_class)
    if with_votes:
        return (X, y, np.array([row[1] for k in kept for row in k]),
                np.array([row[2] for k in kept for row in k]))
    return X, y


def write_csv(path, X, y):
    """Write whole or not at all, with the project's one atomic writer (companions/data.py): a
    temporary file beside path, renamed over it at the end, with the usual permissions."""
    def write(tmp):
        with open(tmp, "w", newline="") as f:
            for lab, row in zip(y, X):
                f.write(f"{lab}," + ",".join(map(str, row.tolist())) + "\n")
    write_atomically(path, write)


def split_seeds(seed):
    """Independent streams for train and test: changing --n-test never changes train."""
    train_ss, test_ss = np.random.SeedSequence(seed).spawn(2)
    return train_ss, test_ss


# --------------------------------------------------------------------------- --preview
def preview(path, seed, per_class=10):
    """Save a labelled montage: one row per class."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    X, y = make_set(split_seeds(seed)[0], per_class)
    fig, axes = plt.subplots(3, per_class, figsize=(1.2 * per_class, 4.0))
    for label in range(3):
        for j in range(per_class):
            ax = axes[label, j]
            ax.imshow(X[label * per_class + j].reshape(N, N), cmap="gray", vmin=0, vmax=255)
            ax.set_xticks([]); ax.set_yticks([])
            if j == 0:
                ax.set_ylabel(CLASS_NAMES[label], fontsize=10)
    fig.suptitle(f"make_galaxies.py, seed {seed}: rows by voted class (inverted: dark = galaxy)",
                 fontsize=10)
    fig.tight_layout()
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)



# --------------------------------------------------------------------------- command line
def parser():
    """The command line; --outdir defaults to the project's root, where ann.py reads the CSVs."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED,
                    help=f"random seed (default {DEFAULT_SEED})")
    ap.add_argument("--n-train", type=positive_int, default=DEFAULT_N_TRAIN,
                    help=f"training images per class (default {DEFAULT_N_TRAIN})")
    ap.add_argument("--n-test", type=positive_int, default=DEFAULT_N_TEST,
                    help=f"test images per class (default {DEFAULT_N_TEST})")
    ap.add_argument("--outdir", default=ROOT,
                    help="folder for train.csv and test.csv (default: the project's root, "
                    "beside ann.py)")
    ap.add_argument("--preview", metavar="PATH",
                    help="save a PNG montage of a few galaxies per class and exit")
    ap.add_argument("--stats", nargs="+", metavar="CSV",
                    help="print per-class statistics of TRAIN.csv [TEST.csv] beside the real "
                    "set's and exit")
    return ap


def main(argv=None):
    ap = parser()
    args = ap.parse_args(argv)
    if args.stats:
        if len(args.stats) > 2:
            ap.error("--stats takes TRAIN.csv and optionally TEST.csv")
        for path in args.stats:
            if not os.path.isfile(path):
                print(f"error: no such file: {path}", file=sys.stderr)
                return 2
        try:
            print_stats(args.stats)
        except UserError as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
        return 0
    if args.preview:
        preview(args.preview, args.seed)
        print(f"wrote {args.preview}")
        return 0
    t0 = time.time()
    os.makedirs(args.outdir, exist_ok=True)
    for name, seq, n in zip(("train.csv", "test.csv"), split_seeds(args.seed),
                            (args.n_train, args.n_test)):
        X, y, models, _ = make_set(seq, n, with_votes=True)
        try:
            write_csv(os.path.join(args.outdir, name), X, y)
        except UserError as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
        print(f"wrote {os.path.join(args.outdir, name)}: {len(y)} images ({n} per class); "
              f"{100 * np.mean(models != y):.1f} % of them voted another class than their model's")
    print(f"done in {time.time() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
