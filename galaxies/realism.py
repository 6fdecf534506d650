"""The realism check (--stats): summary numbers of each stamp of a CSV file, their medians per
class beside those of the tutorial's real training set, and the tolerances they must meet."""
import numpy as np

from companions.data import UserError, read_images
from galaxies.looking import _XX, _YY, asymmetry, look, second_source
from galaxies.models import CEN, CLASS_NAMES, N

# Medians of the same quantities on the tutorial's real training set (published summary
# numbers from ../shared/data/galaxyzoo/STATS.md), per class (E, S, I) and over all images.
REAL = {"sky": (239, 244, 238), "noise": (3.9, 3.33, 3.75), "depth": (161, 162, 157),
        "r50": (7.19, 7.76, 7.96), "C": (2.23, 2.11, 2.07), "A": (0.044, 0.103, 0.247),
        "q": (0.77, 0.80, 0.69), "offset": (0.77, 0.68, 2.51), "second": (0.16, 0.27, 0.53)}
REAL_ALL = {"sky": 241, "noise": 3.64, "depth": 160, "r50": 7.62}
# How far from the real value each statistic may lie. The first four are judged over all
# images (one value each), the other five per class: 4 + 3 x 5 = 19 statistics. Offsets of
# irregulars scatter widely (p10-p90 0.9-4.6 px), so they get twice the room; the ellipticals'
# asymmetry must moreover be at least ELLIPTICAL_A_MIN, as mildly lopsided as real ones.
TOLERANCE = {"sky": 4, "noise": 0.5, "depth": 8, "r50": 0.5, "C": 0.08, "A": 0.02, "q": 0.05,
             "offset": (0.3, 0.3, 0.6), "second": 0.07}
OVERALL = ("sky", "noise", "depth", "r50")
ELLIPTICAL_A_MIN = 0.035


def load_csv(path):
    """The images (m, N, N), gray levels 0..255, and labels (m,) of a CSV in the tutorial's
    format, read and checked by the project's reader (companions/data.py): raises UserError."""
    X, y = read_images(path)
    if X.shape[1] != N * N:
        raise UserError(f"{path}: {X.shape[1]} pixels a row; expected {N * N} ({N} x {N})")
    return X.reshape(-1, N, N), y


def statistics(path):
    """{quantity: (E, S, I, all)}: medians of `measure` per class and over all images of a CSV
    file ('second': the fraction of images with a second compact source)."""
    X, y = load_csv(path)
    rows = [measure(img) for img in X]
    out = {}
    for key in REAL:
        vals = np.array([row[key] for row in rows], float)
        summary = np.mean if key == "second" else np.median
        out[key] = tuple(summary(vals[y == k]) if (y == k).any() else np.nan
                         for k in range(3)) + (summary(vals),)
    return out


def out_of_tolerance(stats):
    """The statistics (name, class) outside TOLERANCE of the real values; empty if all are in."""
    bad = []
    for key, tol in TOLERANCE.items():
        if key in OVERALL:
            if abs(stats[key][3] - REAL_ALL[key]) > tol:
                bad.append((key, "all"))
            continue
        for k in range(3):
            t = tol[k] if isinstance(tol, tuple) else tol
            if not abs(stats[key][k] - REAL[key][k]) <= t:
                bad.append((key, CLASS_NAMES[k]))
    if not stats["A"][0] >= ELLIPTICAL_A_MIN:
        bad.append(("A", "Elliptical (at least %g)" % ELLIPTICAL_A_MIN))
    return bad


def print_stats(paths):
    """Per-class medians of `measure` for each file, next to the real set's medians."""
    for path in paths:
        stats = statistics(path)
        y = load_csv(path)[1]
        print(f"\n{path}: {len(y)} images, per class {np.bincount(y, minlength=3).tolist()}")
        print(f"{'quantity':<10}" + "".join(f"{c[:11] + ' ours/real':>22}" for c in CLASS_NAMES)
              + f"{'all ours/real':>22}   tolerance")
        for key in REAL:
            line = f"{key:<10}" + "".join(f"{stats[key][k]:>13.3g} / {REAL[key][k]:<6.3g}"
                                          for k in range(3))
            line += (f"{stats[key][3]:>13.3g} / {REAL_ALL[key]:<6.3g}" if key in OVERALL
                     else " " * 22)
            tol = TOLERANCE[key]
            line += f"   +-{'/'.join(map(str, tol)) if isinstance(tol, tuple) else tol}"
            line += " (all)" if key in OVERALL else ""
            print(line)
        bad = out_of_tolerance(stats)
        print("outside tolerance: " + (", ".join(f"{k} {c}" for k, c in bad) if bad else "none"))
    print("\nmedians, except 'second' = fraction of images with a second compact source;"
          " real = tutorial's Galaxy Zoo training set")



def measure(img):
    """Summary numbers of one inverted image (same definitions in spirit as the reference tool).

    sky, noise (see look); depth: sky minus darkest pixel; r20/r50/r80 of the curve of growth
    of the galaxy's light about its centre; concentration C = 5 log10(r80/r20); axis ratio q
    from the second moments; asymmetry A (see asymmetry); offset of the light-weighted centre
    from the stamp centre; whether a second compact source more than 20 gray levels above its
    surroundings lies more than 6 px from the centre."""
    seen = look(img)
    w, r = seen["w"], seen["r"]
    order = np.argsort(r.ravel())
    cum = np.cumsum(w.ravel()[order]) / seen["W"]
    r20, r50, r80 = (np.interp(f, cum, r.ravel()[order]) for f in (0.2, 0.5, 0.8))
    dx, dy = _XX - seen["cx"], _YY - seen["cy"]
    mom = np.array([[(w * dx * dx).sum(), (w * dx * dy).sum()],
                    [(w * dx * dy).sum(), (w * dy * dy).sum()]]) / seen["W"]
    lo, hi = np.linalg.eigvalsh(mom)
    return dict(sky=seen["sky"], noise=seen["noise"], depth=seen["sky"] - seen["img"].min(),
                r50=r50, C=5 * np.log10(r80 / max(r20, 1e-3)), A=asymmetry(seen),
                q=np.sqrt(max(lo, 0) / hi), offset=np.hypot(seen["cx"] - CEN, seen["cy"] - CEN),
                second=float(second_source(seen) > 20))
