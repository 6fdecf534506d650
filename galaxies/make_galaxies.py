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
from scipy import ndimage
from scipy.signal import fftconvolve
from scipy.special import gamma as gamma_fn

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the project
from companions.data import UserError, write_atomically  # noqa: E402

N = 32                      # stamp size in pixels
PAD = 4                     # extra pixels rendered on every side, cropped after the PSF blur
SS = 4                      # supersampling factor per axis
CEN = (N - 1) / 2.0         # stamp centre, pixel centres at integer coordinates
CLASS_NAMES = ("Elliptical", "Spiral", "Irregular")
DEFAULT_SEED = 2024
DEFAULT_N_TRAIN = 900       # per class, as in the tutorial's set
DEFAULT_N_TEST = 225

# supersampled coordinates in stamp-pixel units (pixel i spans i-0.5 .. i+0.5)
_G = (N + 2 * PAD) * SS
_AX = (np.arange(_G) + 0.5) / SS - 0.5 - PAD
GX, GY = np.meshgrid(_AX, _AX)


# --------------------------------------------------------------------------- light profiles
def sersic_b(n):
    """b_n such that r_e encloses half the light (Ciotti & Bertin 1999 expansion)."""
    return 2.0 * n - 1.0 / 3.0 + 4.0 / (405.0 * n) + 46.0 / (25515.0 * n * n)


def rotated(x0, y0, pa):
    """Coordinates along (u) and across (v) a position angle pa (radians) about (x0, y0)."""
    dx, dy = GX - x0, GY - y0
    c, s = np.cos(pa), np.sin(pa)
    return dx * c + dy * s, -dx * s + dy * c


def sersic(x0, y0, re, n, q, pa, flux):
    """Elliptical Sersic profile of total flux `flux`, half-light radius re (px, major axis)."""
    u, v = rotated(x0, y0, pa)
    r = np.sqrt(u * u + (v / q) ** 2)
    b = sersic_b(n)
    img = np.exp(-b * (r / re) ** (1.0 / n))
    total = 2 * np.pi * q * re * re * n * gamma_fn(2 * n) / b ** (2 * n)   # integral of img
    return flux * img / total


def gauss_blob(x0, y0, sigma, flux, q=1.0, pa=0.0):
    """A (possibly elongated) Gaussian clump of total flux `flux`."""
    u, v = rotated(x0, y0, pa)
    return flux * np.exp(-0.5 * (u * u + (v / q) ** 2) / sigma ** 2) / (2 * np.pi * q * sigma ** 2)


def disk_coords(x0, y0, pa, cos_i):
    """Radius and azimuth in the plane of a disk seen at inclination i (cos_i = apparent q)."""
    u, v = rotated(x0, y0, pa)
    v = v / cos_i
    return np.hypot(u, v), np.arctan2(v, u)


def spiral_pattern(r, theta, m, pitch_deg, phase, sharp, r_in):
    """Relative arm brightness: 1 on average, peaked along m logarithmic spiral arms.

    Along an arm theta = ln(r)/tan(pitch) (+ const). ((1+cos)/2)**sharp narrows the arms;
    dividing by its mean keeps the disk flux unchanged. Arms fade in outside r_in (bulge)."""
    psi = m * (theta - np.log(np.maximum(r, 1e-3)) / np.tan(np.radians(pitch_deg))) + phase
    p = ((1 + np.cos(psi)) / 2) ** sharp
    mean_p = gamma_fn(sharp + 0.5) / (np.sqrt(np.pi) * gamma_fn(sharp + 1))
    fade = 1 - np.exp(-(r / r_in) ** 2)
    return 1 + fade * (p / mean_p - 1), psi


def moffat_kernel(fwhm, beta=3.0):
    """Moffat PSF (Moffat 1969; beta ~3 fits ground-based seeing) on the supersampled grid."""
    alpha = fwhm / (2 * np.sqrt(2 ** (1 / beta) - 1))
    h = int(np.ceil(3 * fwhm * SS))
    ax = np.arange(-h, h + 1) / SS
    rr = ax[None, :] ** 2 + ax[:, None] ** 2
    k = (1 + rr / alpha ** 2) ** (-beta)
    return k / k.sum()


def patchy(rng, scale, amp):
    """Multiplicative log-normal random field, mean 1: exp(amp * g - amp**2 / 2), g a unit-variance
    Gaussian random field smoothed over `scale` px. Applied to a disk it makes the uneven,
    lopsided light of star-forming patches and dust lanes, with no round clumps."""
    smooth = ndimage.fourier_gaussian(np.fft.rfft2(rng.standard_normal((_G, _G))), scale * SS, n=_G)
    g = np.fft.irfft2(smooth, s=(_G, _G))           # smoothing by FFT: fast, periodic like mode="wrap"
    return np.exp(amp * g / g.std() - amp ** 2 / 2)


def lopsided(r, theta, h, a1, phase):
    """m = 1 'lopsidedness' 1 + a1 cos(theta - phase), growing outwards (none in the centre):
    the outer disk is brighter on one side (Zaritsky & Rix 1997; Bournaud et al. 2005)."""
    return 1 + a1 * np.cos(theta - phase) * (1 - np.exp(-r / h))


# --------------------------------------------------------------------------- the three classes
def centre_jitter(rng, scale):
    """Survey cut-outs are centred on the catalogue position, good to a fraction of a pixel."""
    return CEN + rng.normal(0, scale), CEN + rng.normal(0, scale)


def tidal_tail(rng, x0, y0, length, curl, start_ang, flux, width):
    """A curved tidal tail: Gaussian blobs strung along an arc leaving (x0, y0)."""
    img = 0.0
    steps = 12
    for k in range(steps):
        t = (k + 1) / steps
        ang = start_ang + curl * t
        rr = length * t
        img = img + gauss_blob(x0 + rr * np.cos(ang), y0 + rr * np.sin(ang), width * (1 + t),
                               flux * (1 - 0.6 * t) / steps)
    return img


def make_elliptical(rng):
    """Sersic spheroid with a slightly offset, twisted outer envelope, now and then a faint
    tidal plume. n 2-6 spans low-luminosity to giant ellipticals (Caon et al. 1993); intrinsic
    axis ratios 0.45-1 (E0-E5, few flatter than E6); orientation uniform."""
    x0, y0 = centre_jitter(rng, 0.5)
    n = 2.0 + 4.0 * rng.random() ** 2   # weighted to n < 4: more of them at this luminosity
    re = rng.uniform(2.5, 5.5)          # chosen so the stretched halo (and envelope) just fills the stamp
    q = rng.uniform(0.45, 1.0)
    pa = rng.uniform(0, np.pi)
    f_env = rng.uniform(0.15, 0.4)      # outer envelope: 15-40 % of the light
    img = sersic(x0, y0, re, n, q, pa, 1.0 - f_env)
    # Isophotes of real ellipticals twist by 10-20 deg and their centres drift outwards
    # (Bender et al. 1988; Galletta 1980): an envelope offset by about 1 px, rotated, with its
    # own flattening and a little lopsided (A1 0-0.5, chosen by hand, as tidally stirred halos
    # in groups are) gives some of the mild asymmetry of the real set (A ~0.04, not 0)
    ex, ey = x0 + rng.normal(0, 0.8), y0 + rng.normal(0, 0.8)
    env_q, env_pa = np.clip(q + rng.normal(0, 0.12), 0.4, 1.0), pa + rng.normal(0, 0.35)
    env_re = re * rng.uniform(1.0, 1.4)
    r, th = disk_coords(ex, ey, env_pa, env_q)
    img += (sersic(ex, ey, env_re, rng.uniform(1.0, 2.5), env_q, env_pa, f_env)
            * lopsided(r, th, env_re, rng.uniform(0.0, 0.5), rng.uniform(0, 2 * np.pi)))
    # faint shells/plumes: 73 % of nearby ellipticals show them in very deep images (Tal et al.
    # 2009); far fewer at SDSS depth, so 15 %, a hand-chosen share
    if rng.random() < 0.15:
        img += tidal_tail(rng, x0, y0, rng.uniform(6, 12), rng.uniform(-1.0, 1.0), rng.uniform(0, 2 * np.pi),
                          rng.uniform(0.02, 0.08), rng.uniform(1.2, 2.2))
    if rng.random() < 0.08:             # rarely a faint compact knot (satellite, cluster) in the halo
        img += gauss_blob(x0 + rng.normal(0, 4), y0 + rng.normal(0, 4), 0.7, rng.uniform(0.002, 0.01))
    return img


def make_spiral(rng):
    """Exponential disk + small bulge (+ bar in ~30%, Galaxy Zoo 2 bar fraction, Masters et al.
    2011) with m = 2 (most), 3 or 4 logarithmic arms. Pitch angles 10-35 deg span Sa-Sc
    (Kennicutt 1981). Inclination: cos i uniform would give many edge-on disks, but spiral
    arms must be visible for a 'spiral' vote, so most are drawn face-on to moderately inclined.
    The disk is large and cut off (h 5.5-6.5 px, a break at about 2 h): real spirals at this
    size are a uniform lot, their disks flat out to 10 px and then fading fast, so that the
    frame stays light (their frame median 244 [234, 248], r50 7.8 [6.9, 8.4] px)."""
    x0, y0 = centre_jitter(rng, 0.5)
    pa = rng.uniform(0, np.pi)
    if rng.random() < 0.06:
        cos_i = rng.uniform(0.2, 0.5)   # nearly edge-on
    else:
        cos_i = rng.uniform(0.62, 1.0)
    cos_i = np.hypot(cos_i, 0.15)       # disk thickness q0 = 0.15 (Hubble 1926 formula)
    h = rng.uniform(5.5, 6.5)           # disk scale length, px
    r, th = disk_coords(x0, y0, pa, cos_i)
    m = rng.choice([2, 2, 2, 2, 3, 4])
    pitch = rng.uniform(12, 35)
    strength = rng.uniform(0.0, 0.5)    # arm modulation 0 (smooth, S0-like) to +-50 %; kept weak: arms are subtle at 32 px
    phase = rng.uniform(0, 2 * np.pi)
    pat, _ = spiral_pattern(r, th, m, pitch, phase, rng.uniform(1, 4), 0.8 * h)
    # outer break ('type II' profile, Pohlen & Trujillo 2006): steeper beyond 1.8-2.4 h
    r_br = rng.uniform(1.8, 2.4) * h
    disk = np.exp(-r / h - np.clip(r - r_br, 0, None) * (1 / rng.uniform(0.3, 0.6) - 1) / h)
    disk *= 1 + strength * (pat - 1)
    # most disks are lopsided: A1 ~ 0.1-0.2 typical, a third above 0.2 (Zaritsky & Rix 1997;
    # Bournaud et al. 2005); their star formation is patchy ('flocculent' disks): +-10-35 %
    # on scales of 1-2 px here (hand-chosen: finer patches would vanish in the PSF blur)
    disk *= lopsided(r, th, h, rng.uniform(0.0, 0.35), rng.uniform(0, 2 * np.pi))
    disk *= patchy(rng, rng.uniform(0.8, 2.0), rng.uniform(0.1, 0.35))
    disk /= 2 * np.pi * h * h * cos_i
    bt = rng.uniform(0.05, 0.5)         # bulge-to-total 0.05-0.5 for Sc-Sa (Graham & Worley 2008)
    img = (1 - bt) * disk
    img += sersic(x0, y0, rng.uniform(0.5, 1.2), rng.uniform(1.0, 3.0), rng.uniform(0.7, 1.0), pa, bt)
    if rng.random() < 0.3:              # bar: flat, elongated, length ~ 1-2 disk scale lengths
        bar_pa = rng.uniform(0, np.pi)
        u, v = rotated(x0, y0, pa)
        v = v / cos_i
        c, s = np.cos(bar_pa), np.sin(bar_pa)
        bu, bv = u * c + v * s, -u * s + v * c
        lb = rng.uniform(1.0, 2.0) * h
        bar = np.exp(-((bu / lb) ** 2 + (bv / (0.25 * lb)) ** 2) ** 1.5)
        img += rng.uniform(0.05, 0.15) * bar / (bar.sum() / SS ** 2)
    # HII-region knots along the arms (where the arm phase is near its crest)
    # (faint: with brighter ones far more spirals than the real 27 % show a compact source)
    n_knots = rng.poisson(1.0)
    for _ in range(n_knots):
        rk = rng.uniform(1.0, 2.5) * h
        # on an arm crest: psi = 0 (mod 2 pi) at this radius, on one of the m arms
        ang = np.log(rk) / np.tan(np.radians(pitch)) + (2 * np.pi * rng.integers(m) - phase) / m
        kx, ky = rk * np.cos(ang), rk * np.sin(ang) * cos_i
        c, s = np.cos(pa), np.sin(pa)
        img += gauss_blob(x0 + kx * c - ky * s, y0 + kx * s + ky * c, rng.uniform(0.5, 0.9),
                          rng.uniform(0.002, 0.008))
    return img


def make_irregular(rng):
    """No symmetry. Four kinds (Galaxy Zoo 'odd' and irregular objects are mostly these):
    clumpy irregulars (patchy, lopsided diffuse light with a few star-forming clumps, cf.
    Elmegreen et al. 2007), disturbed disks (strong m = 1 lopsidedness, Zaritsky & Rix 1997),
    merging pairs and otherwise normal-looking galaxies with a tidal tail or plume (Toomre &
    Toomre 1972), and warped, inclined disks with a neighbour nearby. Shares chosen by hand, so
    that pairs, tails, warps and lumpy dwarfs appear about as often as in the real set's
    Irregular class (eyeballed, not fitted)."""
    kind = rng.choice(["clumpy", "disturbed", "merger", "tidal", "warped"], p=[0.15, 0.25, 0.35, 0.15, 0.1])
    if kind == "merger":
        # primary near the centre, companion 5-15 px away (often near the edge), flux ratio 0.1-1
        x0, y0 = centre_jitter(rng, 0.8)
        sep = rng.uniform(5, 15)
        ang = rng.uniform(0, 2 * np.pi)
        x1, y1 = x0 + sep * np.cos(ang), y0 + sep * np.sin(ang)
        img = sersic(x0, y0, rng.uniform(1.0, 3.0), rng.uniform(1.5, 4), rng.uniform(0.5, 1), rng.uniform(0, np.pi), 1.0)
        img += sersic(x1, y1, rng.uniform(0.5, 2.0), rng.uniform(1.5, 4), rng.uniform(0.5, 1), rng.uniform(0, np.pi),
                      rng.uniform(0.1, 1.0))
        # a common, uneven diffuse envelope stretched between the two, and tails
        r, th = disk_coords((x0 + x1) / 2, (y0 + y1) / 2, ang, rng.uniform(0.4, 0.8))
        h = rng.uniform(3.0, 5.0)
        env = np.exp(-r / h) * patchy(rng, rng.uniform(1.0, 2.5), rng.uniform(0.3, 0.6))
        img += rng.uniform(0.4, 1.2) * env / (env.sum() / SS ** 2)
        for xs, ys, a in ((x0, y0, ang + np.pi), (x1, y1, ang)):
            if rng.random() < 0.6:
                img += tidal_tail(rng, xs, ys, rng.uniform(5, 12), rng.uniform(-1.5, 1.5),
                                  a + rng.normal(0, 0.6), rng.uniform(0.05, 0.3), rng.uniform(0.8, 1.5))
        return img
    if kind == "tidal":
        # a galaxy that would pass for normal, with one or two long curved tails or a broad plume
        # (tails reach a few disk diameters: 8-16 px here); half the time the perturber sits at
        # the end of the tail
        x0, y0 = centre_jitter(rng, 0.8)
        pa = rng.uniform(0, np.pi)
        img = sersic(x0, y0, rng.uniform(2.0, 4.5), rng.uniform(1.0, 4.0), rng.uniform(0.4, 1.0), pa, 1.0)
        a = rng.uniform(0, 2 * np.pi)
        for k in range(rng.integers(1, 3)):
            length, curl = rng.uniform(8, 16), rng.uniform(-2.0, 2.0)
            img += tidal_tail(rng, x0, y0, length, curl, a + k * np.pi, rng.uniform(0.15, 0.5),
                              rng.uniform(1.0, 2.2))
            if k == 0 and rng.random() < 0.5:
                end = a + curl
                img += sersic(x0 + length * np.cos(end), y0 + length * np.sin(end), rng.uniform(0.5, 1.5),
                              rng.uniform(1, 3), rng.uniform(0.5, 1), rng.uniform(0, np.pi), rng.uniform(0.05, 0.4))
        return img
    if kind == "warped":
        # a disk bent like an integral sign by a passing neighbour (warps beyond 10-20 degrees
        # are tidal, Reshetnikov & Combes 1998), seen inclined, with a nucleus, often with a
        # one-sided tail and the neighbour itself near the edge of the stamp
        x0, y0 = centre_jitter(rng, 0.8)
        pa = rng.uniform(0, np.pi)
        cos_i = rng.uniform(0.25, 0.6)
        h = rng.uniform(3.0, 5.0)
        u, v = rotated(x0, y0, pa)
        r_w = rng.uniform(0.5, 1.5) * h
        bend = rng.uniform(0.15, 0.5) * rng.choice([-1, 1])
        v = v - bend * np.sign(u) * np.clip(np.abs(u) - r_w, 0, None) ** 2 / h
        r = np.hypot(u, v / cos_i)
        th = np.arctan2(v / cos_i, u)
        disk = np.exp(-r / h) * lopsided(r, th, h, rng.uniform(0.2, 0.7), rng.uniform(0, 2 * np.pi))
        disk *= patchy(rng, rng.uniform(1.0, 2.0), rng.uniform(0.2, 0.5))
        img = 0.8 * disk / (disk.sum() / SS ** 2)
        img += sersic(x0, y0, rng.uniform(0.6, 1.5), rng.uniform(1.5, 3.0), rng.uniform(0.6, 1), pa, rng.uniform(0.1, 0.3))
        if rng.random() < 0.5:
            img += tidal_tail(rng, x0, y0, rng.uniform(8, 14), rng.uniform(-1.5, 1.5), pa + rng.choice([0, np.pi]),
                              rng.uniform(0.1, 0.3), rng.uniform(0.8, 1.5))
        if rng.random() < 0.3:
            d, a = rng.uniform(9, 16), rng.uniform(0, 2 * np.pi)
            img += sersic(x0 + d * np.cos(a), y0 + d * np.sin(a), rng.uniform(0.5, 1.5), rng.uniform(1, 3),
                          rng.uniform(0.5, 1), rng.uniform(0, np.pi), rng.uniform(0.05, 0.4))
        return img
    # a diffuse body off the nominal centre, elongated, lopsided and patchy
    x0, y0 = centre_jitter(rng, 1.0)
    off = rng.uniform(0.5, 3.5)
    ang = rng.uniform(0, 2 * np.pi)
    bx, by = x0 + off * np.cos(ang), y0 + off * np.sin(ang)
    pa = rng.uniform(0, np.pi)
    cos_i = rng.uniform(0.3, 1.0)
    h = rng.uniform(4.0, 6.5)
    r, th = disk_coords(bx, by, pa, cos_i)
    body = np.exp(-r / h) * lopsided(r, th, h, rng.uniform(0.4, 1.0), rng.uniform(0, 2 * np.pi))
    body *= patchy(rng, rng.uniform(1.0, 2.5), rng.uniform(0.4, 0.8))  # irregulars: much patchier than spirals
    body /= body.sum() / SS ** 2
    if kind == "disturbed":
        pat, _ = spiral_pattern(r, th, rng.choice([1, 2]), rng.uniform(15, 45), rng.uniform(0, 2 * np.pi),
                                rng.uniform(1, 3), 0.6 * h)
        body = body * (1 + rng.uniform(0.3, 0.8) * (pat - 1))
        img = 0.75 * body + sersic(x0, y0, rng.uniform(0.8, 1.8), rng.uniform(1, 2.5), rng.uniform(0.6, 1), pa, 0.15)
        n_clumps = rng.integers(0, 3)
    else:
        img = rng.uniform(0.5, 0.8) * body
        n_clumps = rng.integers(1, 6)
        # the brightest clump or nucleus sits near the catalogue centre
        img += gauss_blob(x0, y0, rng.uniform(0.5, 1.5), rng.uniform(0.05, 0.25), rng.uniform(0.5, 1), rng.uniform(0, np.pi))
    for _ in range(n_clumps):
        # star-forming complexes: of different sizes and often elongated, not all round blobs
        rc = h * np.sqrt(rng.uniform(0.05, 2.0))
        a = rng.uniform(0, 2 * np.pi)
        img += gauss_blob(bx + rc * np.cos(a), by + rc * np.sin(a) * cos_i, rng.uniform(0.4, 1.2),
                          rng.uniform(0.01, 0.06), rng.uniform(0.35, 1.0), rng.uniform(0, np.pi))
    return img


MAKERS = (make_elliptical, make_spiral, make_irregular)


def add_interlopers(rng, img, label):
    """Foreground stars and small background neighbours, anywhere in the field (galaxies cluster,
    so irregulars/mergers have them more often). Returned separately as they may outshine it."""
    extra = np.zeros_like(img)
    p_star = (0.10, 0.12, 0.15)[label]
    p_neighbour = (0.12, 0.10, 0.12)[label]
    if rng.random() < p_star:
        d, a = rng.uniform(7, 17), rng.uniform(0, 2 * np.pi)
        extra += gauss_blob(CEN + d * np.cos(a), CEN + d * np.sin(a), 0.15, 10 ** rng.uniform(-2.3, -0.5))
    if rng.random() < p_neighbour:
        d, a = rng.uniform(8, 18), rng.uniform(0, 2 * np.pi)
        extra += sersic(CEN + d * np.cos(a), CEN + d * np.sin(a), rng.uniform(0.6, 1.5), rng.uniform(1, 4),
                        rng.uniform(0.4, 1), rng.uniform(0, np.pi), 10 ** rng.uniform(-2, -0.8))
    return extra


# --------------------------------------------------------------------------- camera and display
def observe(model, fwhm):
    """PSF blur (FWHM in stamp pixels), bin to pixels, crop: linear flux image of N x N pixels."""
    psf = moffat_kernel(fwhm)
    blurred = fftconvolve(model, psf, mode="same")
    binned = blurred.reshape(_G // SS, SS, _G // SS, SS).mean(axis=(1, 3))
    return binned[PAD:PAD + N, PAD:PAD + N]


# Extra core depth per class (gray levels). Irregulars' envelopes and ellipticals' halos darken
# the frame median, from which the depth is measured, more than spirals' disks do; these shifts
# were chosen by hand so that the measured depths match the real per-class medians.
DEPTH_SHIFT = (6, 0, 7)
# Range of the asinh stretch's dynamic range k per class (see display): chosen by hand so that
# each class's median radial profile follows the real one (STATS.md) within a few gray levels:
# a spiral's flat disk needs less stretch than an irregular's spread-out light.
STRETCH = ((4.5, 6.5), (5.0, 6.5), (5.5, 7.5))


def correlated_noise(rng, shape):
    """Unit-variance Gaussian noise whose neighbouring pixels correlate by ~0-0.35,
    as after the resampling of survey images: white noise smoothed with [w, 1, w]."""
    w = rng.uniform(0.05, 0.3)
    k1 = np.array([w, 1.0, w])
    noise = rng.standard_normal(shape)
    noise = ndimage.convolve1d(ndimage.convolve1d(noise, k1, axis=0, mode="wrap"), k1, axis=1, mode="wrap")
    return noise / np.sum(k1 ** 2)


def display(rng, galaxy, extra, label, sharp=None):
    """Linear flux -> inverted 8-bit gray levels through an asinh stretch. Returns the stamp and
    the volunteers' view (see render_stamp).

    The brightest galaxy pixel is put at a 'core depth' D ~ N(170, 17) below the true sky, a
    little deeper for ellipticals and irregulars (DEPTH_SHIFT): the measured depth (from the
    darker frame median, after noise) then lands near the real set's per-class medians
    161 / 162 / 157 [136, 181]; the stretch's dynamic range k = asinh(peak/beta) (STRETCH) sets
    how far the faint halo shows (larger k: more of the outskirts visible). Sky noise (display
    units ~2.5-4.9, the real set's corner noise) is added in linear flux, so the stretch
    compresses it in the bright body as in the real images."""
    peak = galaxy.max()
    depth = np.clip(rng.normal(170 + DEPTH_SHIFT[label], 17), 125, 215)
    k = rng.uniform(*STRETCH[label])
    amp = depth / k
    beta = peak / np.sinh(k)
    sigma_disp = rng.uniform(3.0, 6.5)
    sigma_lin = sigma_disp * beta / amp          # display noise = amp * sigma_lin / beta near sky
    flux = galaxy + extra
    # sky noise + a little photon noise from the source itself
    var = sigma_lin ** 2 * (1 + 1.5 * np.clip(flux, 0, None) / beta)
    noise = np.sqrt(var) * correlated_noise(rng, flux.shape)
    # black point a little above the sky (display 'minimum', Lupton et al. 2004) hides the
    # faintest halo, then a soft clip: survey images clip negative flux before averaging down
    black = rng.uniform(0, 4)
    sky = np.clip(rng.normal(250.5, 2.0), 245, 254)

    def show(f):
        s = amp * np.arcsinh(f / beta) - black
        soft = 2.0
        s = soft * np.logaddexp(0, s / soft)
        return np.clip(np.round(sky - s), 0, 255).astype(np.uint8)
    return show(flux + noise), show((galaxy if sharp is None else sharp) + VIEW_NOISE * noise)


# What the Galaxy Zoo volunteers saw, next to the 32 x 32 gray thumbnail: the full-size SDSS
# colour image. It is sharper (the thumbnail's pixels and its resampling blur the light further:
# the volunteers' blur is taken as 0.3 of the thumbnail's), deeper (three bands and a larger
# image: noise 0.2 of the thumbnail's), without the foreground star or the unrelated neighbour
# (volunteers tell them by their colour and sharpness), and in colour: young, blue stars make
# arms and clumps stand out. How blue a galaxy is (0 red .. 1 blue) is drawn from a Beta law per
# model: ellipticals red (mean 0.14), spirals of any colour (mean 0.57, a fifth red as in
# Masters et al. 2010), irregulars blue (mean 0.73).
VIEW_BLUR, VIEW_NOISE = 0.3, 0.2
BLUENESS = ((1, 6), (2, 1.5), (4, 1.5))


def render_stamp(rng, label, with_view=False):
    """One complete 32 x 32 inverted image of a galaxy of model `label`; with_view, also the
    volunteers' view of it and its blueness (0 red .. 1 blue), as (stamp, view, blue)."""
    model = MAKERS[label](rng)
    extra = add_interlopers(rng, model, label)
    fwhm = rng.uniform(1.1, 2.1)        # PSF: seeing plus the thumbnail's resampling, in its pixels
    sharp = observe(model, VIEW_BLUR * fwhm) if with_view else None
    stamp, view = display(rng, observe(model, fwhm), observe(extra, fwhm) if extra.any() else 0.0, label, sharp)
    blue = rng.beta(*BLUENESS[label])
    return (stamp, view, blue) if with_view else stamp


# --------------------------------------------------------------------------- looking at a stamp
# What an eye can tell from one finished 32 x 32 stamp. The simulated volunteers (next section)
# and --stats both look through these functions, so what decides a label is measured the same
# way as what is compared with the real images.
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


def rotated_180(g, a):
    """Array `a` rotated by 180 degrees about the galaxy's centre rounded to the half-pixel grid
    (an exact permutation of pixels, no interpolation), and where the rotated pixel is inside."""
    sx, sy = int(round(2 * g["cx"])), int(round(2 * g["cy"]))
    ii = np.arange(N)
    ok = ((sy - ii >= 0) & (sy - ii < N))[:, None] & ((sx - ii >= 0) & (sx - ii < N))[None, :]
    return a[np.clip(sy - ii, 0, N - 1)][:, np.clip(sx - ii, 0, N - 1)], ok


def asymmetry(g):
    """A = sum|s - s_180| / sum|s| over the galaxy, minus its expectation for pure noise, s_180
    the light rotated by 180 degrees about the centre. 0 for a point-symmetric galaxy."""
    s, noise = g["s"], g["noise"]
    rot, ok = rotated_180(g, s)
    region = ok & (g["mask"] | rotated_180(g, g["mask"])[0])
    den = np.abs(s[region]).sum() + 1e-9
    return (np.abs(s - rot)[region].sum() - region.sum() * 2 * noise / np.sqrt(np.pi)) / den


def second_source(g, within=99):
    """Contrast (gray levels) of the most prominent compact source more than 6 px (and less
    than `within` px) from the centre: its 3x3 mean above the median of a 3-5 px ring around
    it; 0 if there is none."""
    s = g["s"]
    sm = ndimage.uniform_filter(s, 3, mode="nearest")
    peaks = (sm == ndimage.maximum_filter(sm, 5, mode="nearest")) & (g["r"] > 6) & (g["r"] < within) & (_EDGE >= 1)
    best = 0.0
    for py, px in zip(*np.nonzero(peaks)):
        d = np.hypot(_XX - px, _YY - py)
        best = max(best, sm[py, px] - np.median(s[(d >= 3) & (d <= 5)]))
    return best


def structure(g):
    """F: how much of the galaxy's light a smooth model cannot explain but a half-turn leaves in
    place: spiral arms, a bar, a ring, a lane (lopsided light and off-centre clumps are what the
    asymmetry A measures). The smooth model is a quadratic in the elliptical radius (centre,
    axis ratio and orientation from the second moments of the light), fitted from 1.5 to 12 px:
    the stretched profile of a smooth galaxy is close to a straight line there, while arms and
    rings are bumps on it. F is the summed point-symmetric part of |light - model| (after a
    0.7 px smoothing that removes most pixel noise) over the summed light, less what noise
    alone would give. Near 0 for a smooth galaxy."""
    s, w, noise = g["s"], g["w"], g["noise"]
    dx, dy = _XX - g["cx"], _YY - g["cy"]
    mom = np.array([[(w * dx * dx).sum(), (w * dx * dy).sum()],
                    [(w * dx * dy).sum(), (w * dy * dy).sum()]]) / g["W"]
    ev, vec = np.linalg.eigh(mom)
    q = max(np.sqrt(max(ev[0], 0) / ev[1]), 0.3)
    u, v = dx * vec[0, 1] + dy * vec[1, 1], -dx * vec[1, 1] + dy * vec[0, 1]
    re = np.hypot(u, v / q)
    region = g["mask"] & (re >= 1.5) & (re < 12)
    if region.sum() < 10:
        return 0.0
    fit = np.polyfit(re[region], s[region], 2)
    resid = ndimage.gaussian_filter(s, 0.7) - np.polyval(fit, re)
    rot, ok = rotated_180(g, resid)
    region &= ok
    # white noise smoothed by a 0.7 px Gaussian keeps 0.40 of its rms, the mean of two pixels
    # 0.71 of that; E|x| = 0.8 rms
    excess = np.abs(resid + rot)[region].sum() / 2 - region.sum() * 0.8 * 0.40 * 0.71 * noise
    return excess / (np.abs(s[region]).sum() + 1e-9)


def nucleus_offset(g):
    """Distance (px) from the galaxy's brightest spot (3x3 mean) to the centre of its light:
    small when the light is spread evenly around a nucleus, large for a lopsided body, a
    bright clump off to one side or two nuclei."""
    sm = ndimage.uniform_filter(g["s"], 3) * g["mask"]
    py, px = np.unravel_index(np.argmax(sm), sm.shape)
    return np.hypot(px - g["cx"], py - g["cy"])


def measure(img):
    """Summary numbers of one inverted image (same definitions in spirit as the reference tool).

    sky, noise (see look); depth: sky minus darkest pixel; r20/r50/r80 of the curve of growth
    of the galaxy's light about its centre; concentration C = 5 log10(r80/r20); axis ratio q
    from the second moments; asymmetry A (see asymmetry); offset of the light-weighted centre
    from the stamp centre; whether a second compact source more than 20 gray levels above its
    surroundings lies more than 6 px from the centre."""
    g = look(img)
    w, r = g["w"], g["r"]
    order = np.argsort(r.ravel())
    cum = np.cumsum(w.ravel()[order]) / g["W"]
    r20, r50, r80 = (np.interp(f, cum, r.ravel()[order]) for f in (0.2, 0.5, 0.8))
    dx, dy = _XX - g["cx"], _YY - g["cy"]
    mom = np.array([[(w * dx * dx).sum(), (w * dx * dy).sum()],
                    [(w * dx * dy).sum(), (w * dy * dy).sum()]]) / g["W"]
    lo, hi = np.linalg.eigvalsh(mom)
    return dict(sky=g["sky"], noise=g["noise"], depth=g["sky"] - g["img"].min(), r50=r50,
                C=5 * np.log10(r80 / max(r20, 1e-3)), A=asymmetry(g), q=np.sqrt(max(lo, 0) / hi),
                offset=np.hypot(g["cx"] - CEN, g["cy"] - CEN), second=float(second_source(g) > 20))


# --------------------------------------------------------------------------- the Galaxy Zoo vote
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
    g = look(view)
    odd = ((asymmetry(g) - ODD_AT) / ODD_STEP + (nucleus_offset(g) - OFFCENTRE_AT) / OFFCENTRE_STEP
           + max(second_source(g, within=12) - MERGER_AT, 0) / MERGER_STEP)
    featured = (structure(g) * np.exp(COLOUR_GAIN * (blue - 0.5)) - FEATURED_AT) / FEATURED_STEP
    says_odd = odd + rng.standard_normal(n) > 0
    says_featured = featured + rng.standard_normal(n) > 0
    answer = np.where(says_odd, 2, np.where(says_featured, 1, 0))
    return np.bincount(answer, minlength=3)


def plurality(rng, votes):
    """The class most volunteers chose; a tie is settled by lot."""
    best = np.flatnonzero(votes == votes.max())
    return int(best[0] if best.size == 1 else rng.choice(best))


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
        return X, y, np.array([row[1] for k in kept for row in k]), np.array([row[2] for k in kept for row in k])
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
    fig.suptitle(f"make_galaxies.py, seed {seed}: rows by voted class (inverted: dark = galaxy)", fontsize=10)
    fig.tight_layout()
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)


# --------------------------------------------------------------------------- --stats
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
    d = np.loadtxt(path, delimiter=",", ndmin=2)
    if d.shape[1] != N * N + 1:
        raise ValueError(f"{path}: expected {N * N + 1} columns, found {d.shape[1]}")
    return d[:, 1:].reshape(-1, N, N), d[:, 0].astype(int)


def statistics(path):
    """{quantity: (E, S, I, all)}: medians of `measure` per class and over all images of a CSV
    file ('second': the fraction of images with a second compact source)."""
    X, y = load_csv(path)
    rows = [measure(img) for img in X]
    out = {}
    for key in REAL:
        vals = np.array([row[key] for row in rows], float)
        summary = np.mean if key == "second" else np.median
        out[key] = tuple(summary(vals[y == k]) if (y == k).any() else np.nan for k in range(3)) + (summary(vals),)
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
            line = f"{key:<10}" + "".join(f"{stats[key][k]:>13.3g} / {REAL[key][k]:<6.3g}" for k in range(3))
            line += f"{stats[key][3]:>13.3g} / {REAL_ALL[key]:<6.3g}" if key in OVERALL else " " * 22
            tol = TOLERANCE[key]
            line += f"   +-{'/'.join(map(str, tol)) if isinstance(tol, tuple) else tol}"
            line += " (all)" if key in OVERALL else ""
            print(line)
        bad = out_of_tolerance(stats)
        print("outside tolerance: " + (", ".join(f"{k} {c}" for k, c in bad) if bad else "none"))
    print("\nmedians, except 'second' = fraction of images with a second compact source;"
          " real = tutorial's Galaxy Zoo training set")


# --------------------------------------------------------------------------- command line
def positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def main(argv=None):
    # the project's root, one folder up: where ann.py reads train.csv and test.csv
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    ap.add_argument("--n-train", type=positive_int, default=DEFAULT_N_TRAIN,
                    help=f"training images per class (default {DEFAULT_N_TRAIN})")
    ap.add_argument("--n-test", type=positive_int, default=DEFAULT_N_TEST,
                    help=f"test images per class (default {DEFAULT_N_TEST})")
    ap.add_argument("--outdir", default=root,
                    help="folder for train.csv and test.csv (default: the project's root, beside ann.py)")
    ap.add_argument("--preview", metavar="PATH", help="save a PNG montage of a few galaxies per class and exit")
    ap.add_argument("--stats", nargs="+", metavar="CSV",
                    help="print per-class statistics of TRAIN.csv [TEST.csv] beside the real set's and exit")
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
        except ValueError as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
        return 0
    if args.preview:
        preview(args.preview, args.seed)
        print(f"wrote {args.preview}")
        return 0
    t0 = time.time()
    os.makedirs(args.outdir, exist_ok=True)
    for name, seq, n in zip(("train.csv", "test.csv"), split_seeds(args.seed), (args.n_train, args.n_test)):
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
