"""What an eye can tell from one finished 32 x 32 stamp: its sky, noise and light (look), and
the cues read from them (asymmetry, a second source, structure, the nucleus offset). The
simulated volunteers (vote.py) and --stats (realism.py) both look through these functions, so
what decides a label is measured the same way as what is compared with the real images."""
import numpy as np
from scipy import ndimage

from galaxies.models import CEN, N

_YY, _XX = np.mgrid[0:N, 0:N].astype(float)
_EDGE = np.minimum(np.minimum(_YY, _XX), np.minimum(N - 1 - _YY, N - 1 - _XX))
_CORNER_FIT = np.c_[np.ones(36), np.mgrid[0:6, 0:6][1].ravel(), np.mgrid[0:6, 0:6][0].ravel()]


def look(img):
    """The basics of one inverted stamp, as a dict.

    sky: median of the outer 3-px frame; noise: std of the 4 corners (6x6) after removing a
    plane, median of corners; s = sky - pixel, the galaxy's light; mask: the pixels of the
    galaxy (the smoothed detection region that reaches the centre, grown by one pixel); w: its
    light, clipped at 0; cx, cy: light-weighted centre; r: every pixel's distance from it."""
    img = np.asarray(img, float)
    sky = np.median(img[_EDGE < 3])
    corners = []
    for sl in (np.s_[:6, :6], np.s_[:6, -6:], np.s_[-6:, :6], np.s_[-6:, -6:]):
        v = img[sl].ravel()
        resid = v - _CORNER_FIT @ np.linalg.lstsq(_CORNER_FIT, v, rcond=None)[0]
        corners.append(resid.std() * np.sqrt(36 / 33))
    noise = max(np.median(corners), 0.5)
    s = sky - img
    det = ndimage.gaussian_filter(s, 1.0) > 1.5 * noise
    lab, _ = ndimage.label(det)
    centre_labels = lab[(np.hypot(_XX - CEN, _YY - CEN) <= 5) & det]
    mask = (ndimage.binary_dilation(lab == np.bincount(centre_labels).argmax(), np.ones((3, 3)))
            if centre_labels.size else np.hypot(_XX - CEN, _YY - CEN) <= 4)
    w = np.clip(s, 0, None) * mask
    W = w.sum() + 1e-9
    cx, cy = (w * _XX).sum() / W, (w * _YY).sum() / W
    return dict(img=img, sky=sky, noise=noise, s=s, mask=mask, w=w, W=W, cx=cx, cy=cy,
                r=np.hypot(_XX - cx, _YY - cy))


def rotated_180(seen, a):
    """Array `a` rotated by 180 degrees about the galaxy's centre rounded to the half-pixel grid
    (an exact permutation of pixels, no interpolation), and where the rotated pixel is inside."""
    sx, sy = int(round(2 * seen["cx"])), int(round(2 * seen["cy"]))
    ii = np.arange(N)
    ok = ((sy - ii >= 0) & (sy - ii < N))[:, None] & ((sx - ii >= 0) & (sx - ii < N))[None, :]
    return a[np.clip(sy - ii, 0, N - 1)][:, np.clip(sx - ii, 0, N - 1)], ok


def asymmetry(seen):
    """A = sum|s - s_180| / sum|s| over the galaxy, minus its expectation for pure noise, s_180
    the light rotated by 180 degrees about the centre. 0 for a point-symmetric galaxy."""
    s, noise = seen["s"], seen["noise"]
    rot, ok = rotated_180(seen, s)
    region = ok & (seen["mask"] | rotated_180(seen, seen["mask"])[0])
    den = np.abs(s[region]).sum() + 1e-9
    return (np.abs(s - rot)[region].sum() - region.sum() * 2 * noise / np.sqrt(np.pi)) / den


def second_source(seen, within=99):
    """Contrast (gray levels) of the most prominent compact source more than 6 px (and less
    than `within` px) from the centre: its 3x3 mean above the median of a 3-5 px ring around
    it; 0 if there is none."""
    s = seen["s"]
    sm = ndimage.uniform_filter(s, 3, mode="nearest")
    peaks = ((sm == ndimage.maximum_filter(sm, 5, mode="nearest")) & (seen["r"] > 6)
             & (seen["r"] < within) & (_EDGE >= 1))
    best = 0.0
    for py, px in zip(*np.nonzero(peaks)):
        d = np.hypot(_XX - px, _YY - py)
        best = max(best, sm[py, px] - np.median(s[(d >= 3) & (d <= 5)]))
    return best


def structure(seen):
    """F: how much of the galaxy's light a smooth model cannot explain but a half-turn leaves in
    place: spiral arms, a bar, a ring, a lane (lopsided light and off-centre clumps are what the
    asymmetry A measures). The smooth model is a quadratic in the elliptical radius (centre,
    axis ratio and orientation from the second moments of the light), fitted from 1.5 to 12 px:
    the stretched profile of a smooth galaxy is close to a straight line there, while arms and
    rings are bumps on it. F is the summed point-symmetric part of |light - model| (after a
    0.7 px smoothing that removes most pixel noise) over the summed light, less what noise
    alone would give. Near 0 for a smooth galaxy."""
    s, w, noise = seen["s"], seen["w"], seen["noise"]
    dx, dy = _XX - seen["cx"], _YY - seen["cy"]
    mom = np.array([[(w * dx * dx).sum(), (w * dx * dy).sum()],
                    [(w * dx * dy).sum(), (w * dy * dy).sum()]]) / seen["W"]
    ev, vec = np.linalg.eigh(mom)
    q = max(np.sqrt(max(ev[0], 0) / ev[1]), 0.3)
    u, v = dx * vec[0, 1] + dy * vec[1, 1], -dx * vec[1, 1] + dy * vec[0, 1]
    re = np.hypot(u, v / q)
    region = seen["mask"] & (re >= 1.5) & (re < 12)
    if region.sum() < 10:
        return 0.0
    fit = np.polyfit(re[region], s[region], 2)
    resid = ndimage.gaussian_filter(s, 0.7) - np.polyval(fit, re)
    rot, ok = rotated_180(seen, resid)
    region &= ok
    # white noise smoothed by a 0.7 px Gaussian keeps 0.40 of its rms, the mean of two pixels
    # 0.71 of that; E|x| = 0.8 rms
    excess = np.abs(resid + rot)[region].sum() / 2 - region.sum() * 0.8 * 0.40 * 0.71 * noise
    return excess / (np.abs(s[region]).sum() + 1e-9)


def nucleus_offset(seen):
    """Distance (px) from the galaxy's brightest spot (3x3 mean) to the centre of its light:
    small when the light is spread evenly around a nucleus, large for a lopsided body, a
    bright clump off to one side or two nuclei."""
    sm = ndimage.uniform_filter(seen["s"], 3) * seen["mask"]
    py, px = np.unravel_index(np.argmax(sm), sm.shape)
    return np.hypot(px - seen["cx"], py - seen["cy"])
