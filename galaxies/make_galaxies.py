#!/usr/bin/env python3
"""Render the project's own synthetic galaxy images from simple physical models.

Each image is a 32 x 32 gray-scale "postage stamp" in the format of the tutorial's Galaxy Zoo
set: one galaxy per CSV row, ``label,p0,...,p1023`` (integers 0..255, row-major), no header,
INVERTED (light sky, dark galaxy), rows sorted by class. Classes:

    0 = Elliptical  Sersic profile (n 2-6) with a slightly offset, twisted, lopsided envelope,
                    random axis ratio and orientation, now and then a faint tidal plume
    1 = Spiral      lopsided, patchy exponential disk + Sersic bulge (+ sometimes a bar), 2-4
                    logarithmic spiral arms with star-forming knots, random inclination
    2 = Irregular   patchy lopsided dwarfs with a few clumps, disturbed disks, merging pairs
                    and normal-looking galaxies with tidal tails or plumes

How an image is made (``render_stamp``):
  1. the galaxy's surface brightness is evaluated on a 4x supersampled grid that is a few
     pixels larger than the stamp (so light from just outside the frame can spill in);
  2. sometimes a foreground star or a small neighbouring galaxy is added;
  3. it is blurred with a Moffat point-spread function (FWHM 1.5-2.5 px), binned to the
     pixel grid and cropped to 32 x 32;
  4. noise is added in LINEAR flux (sky noise plus a little source photon noise), slightly
     correlated between neighbouring pixels as in resampled survey images;
  5. the flux is shown through an asinh stretch (as the SDSS colour images used by Galaxy
     Zoo are, Lupton et al. 2004, PASP 116, 133), softly clipped at the sky end, inverted,
     rounded and clipped to 0..255.

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
import tempfile
import time

import numpy as np
from scipy import ndimage
from scipy.signal import fftconvolve
from scipy.special import gamma as gamma_fn

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
    arms must be visible for a 'spiral' vote, so most are drawn face-on to moderately inclined."""
    x0, y0 = centre_jitter(rng, 0.5)
    pa = rng.uniform(0, np.pi)
    if rng.random() < 0.08:
        cos_i = rng.uniform(0.2, 0.5)   # nearly edge-on
    else:
        cos_i = rng.uniform(0.55, 1.0)
    cos_i = np.hypot(cos_i, 0.15)       # disk thickness q0 = 0.15 (Hubble 1926 formula)
    h = rng.uniform(3.3, 5.5)           # disk scale length, px (the real spirals' r50 7.8 px)
    r, th = disk_coords(x0, y0, pa, cos_i)
    m = rng.choice([2, 2, 2, 2, 3, 4])
    pitch = rng.uniform(12, 35)
    strength = rng.uniform(0.0, 0.5)    # arm modulation 0 (smooth, S0-like) to +-50 %; kept weak: arms are subtle at 32 px
    phase = rng.uniform(0, 2 * np.pi)
    pat, _ = spiral_pattern(r, th, m, pitch, phase, rng.uniform(1, 4), 0.8 * h)
    # outer break ('type II' profile, Pohlen & Trujillo 2006): steeper beyond 2.5-4 h
    r_br = rng.uniform(2.5, 4.5) * h
    disk = np.exp(-r / h - np.clip(r - r_br, 0, None) * (1 / rng.uniform(0.3, 0.6) - 1) / h)
    disk *= 1 + strength * (pat - 1)
    # most disks are lopsided: A1 ~ 0.1-0.2 typical, a third above 0.2 (Zaritsky & Rix 1997;
    # Bournaud et al. 2005); their star formation is patchy ('flocculent' disks): +-10-35 %
    # on scales of 1-2 px here (hand-chosen: finer patches would vanish in the PSF blur)
    disk *= lopsided(r, th, h, rng.uniform(0.0, 0.35), rng.uniform(0, 2 * np.pi))
    disk *= patchy(rng, rng.uniform(0.8, 2.0), rng.uniform(0.1, 0.35))
    disk /= 2 * np.pi * h * h * cos_i
    bt = rng.uniform(0.05, 0.6)         # bulge-to-total 0.05-0.6 for Sc-S0/a (Graham & Worley 2008)
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
    n_knots = rng.poisson(1.4)           # about half of the real spirals' compact sources are such knots
    for _ in range(n_knots):
        rk = rng.uniform(1.0, 2.5) * h
        # on an arm crest: psi = 0 (mod 2 pi) at this radius, on one of the m arms
        ang = np.log(rk) / np.tan(np.radians(pitch)) + (2 * np.pi * rng.integers(m) - phase) / m
        kx, ky = rk * np.cos(ang), rk * np.sin(ang) * cos_i
        c, s = np.cos(pa), np.sin(pa)
        img += gauss_blob(x0 + kx * c - ky * s, y0 + kx * s + ky * c, rng.uniform(0.5, 0.9),
                          rng.uniform(0.005, 0.03))
    return img


def make_irregular(rng):
    """No symmetry. Four kinds (Galaxy Zoo 'odd' and irregular objects are mostly these):
    clumpy irregulars (patchy, lopsided diffuse light with a few star-forming clumps, cf.
    Elmegreen et al. 2007), disturbed disks (strong m = 1 lopsidedness, Zaritsky & Rix 1997),
    merging pairs and otherwise normal-looking galaxies with a tidal tail or plume (Toomre &
    Toomre 1972). Shares chosen by hand, so that pairs, tails and lumpy dwarfs appear about as
    often as in the real set's Irregular class (eyeballed, not fitted)."""
    kind = rng.choice(["clumpy", "disturbed", "merger", "tidal"], p=[0.2, 0.25, 0.35, 0.2])
    if kind == "merger":
        # primary near the centre, companion 4-13 px away, flux ratio 0.1-1
        x0, y0 = centre_jitter(rng, 0.8)
        sep = rng.uniform(4, 13)
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
    p_neighbour = (0.15, 0.10, 0.35)[label]
    if rng.random() < p_star:
        d, a = rng.uniform(7, 17), rng.uniform(0, 2 * np.pi)
        extra += gauss_blob(CEN + d * np.cos(a), CEN + d * np.sin(a), 0.15, 10 ** rng.uniform(-2.3, -0.5))
    if rng.random() < p_neighbour:
        d, a = rng.uniform(8, 18), rng.uniform(0, 2 * np.pi)
        extra += sersic(CEN + d * np.cos(a), CEN + d * np.sin(a), rng.uniform(0.6, 1.5), rng.uniform(1, 4),
                        rng.uniform(0.4, 1), rng.uniform(0, np.pi), 10 ** rng.uniform(-2, -0.8))
    return extra


# --------------------------------------------------------------------------- camera and display
def observe(rng, model):
    """PSF blur, bin to pixels, crop: linear flux image of N x N pixels."""
    psf = moffat_kernel(rng.uniform(1.5, 2.5))
    blurred = fftconvolve(model, psf, mode="same")
    binned = blurred.reshape(_G // SS, SS, _G // SS, SS).mean(axis=(1, 3))
    return binned[PAD:PAD + N, PAD:PAD + N]


# Extra core depth per class (gray levels). Ellipticals' halos and irregulars' envelopes darken
# the frame median, from which the depth is measured, more than spirals' disks do; these shifts
# were chosen by hand so that the measured depths match the real per-class medians.
DEPTH_SHIFT = (12, 0, 7)


def correlated_noise(rng, shape):
    """Unit-variance Gaussian noise whose neighbouring pixels correlate by ~0-0.35,
    as after the resampling of survey images: white noise smoothed with [w, 1, w]."""
    w = rng.uniform(0.05, 0.3)
    k1 = np.array([w, 1.0, w])
    noise = rng.standard_normal(shape)
    noise = ndimage.convolve1d(ndimage.convolve1d(noise, k1, axis=0, mode="wrap"), k1, axis=1, mode="wrap")
    return noise / np.sum(k1 ** 2)


def display(rng, galaxy, extra, label):
    """Linear flux -> inverted 8-bit gray levels through an asinh stretch.

    The brightest galaxy pixel is put at a 'core depth' D ~ N(170, 17) below the true sky, a
    little deeper for ellipticals and irregulars (DEPTH_SHIFT): the measured depth (from the
    darker frame median, after noise) then lands near the real set's per-class medians
    161 / 162 / 157 [136, 181]; the stretch's dynamic range k = asinh(peak/beta) sets how far
    the faint halo shows (larger k: more of the outskirts visible). Sky noise (display units ~2.5-4.9,
    the real set's corner noise) is added in linear flux, so the stretch compresses it in the
    bright body as in the real images."""
    peak = galaxy.max()
    depth = np.clip(rng.normal(170 + DEPTH_SHIFT[label], 17), 125, 215)
    k = rng.uniform(5.0, 7.0)
    amp = depth / k
    beta = peak / np.sinh(k)
    sigma_disp = rng.uniform(3.0, 6.5)
    sigma_lin = sigma_disp * beta / amp          # display noise = amp * sigma_lin / beta near sky
    flux = galaxy + extra
    # sky noise + a little photon noise from the source itself
    var = sigma_lin ** 2 * (1 + 1.5 * np.clip(flux, 0, None) / beta)
    noisy = flux + np.sqrt(var) * correlated_noise(rng, flux.shape)
    # black point a little above the sky (display 'minimum', Lupton et al. 2004) hides the
    # faintest halo, then a soft clip: survey images clip negative flux before averaging down
    s = amp * np.arcsinh(noisy / beta) - rng.uniform(0, 4)
    soft = 2.0
    s = soft * np.logaddexp(0, s / soft)
    sky = np.clip(rng.normal(250.5, 2.0), 245, 254)
    return np.clip(np.round(sky - s), 0, 255).astype(np.uint8)


def render_stamp(rng, label):
    """One complete 32 x 32 inverted image of class `label`."""
    model = MAKERS[label](rng)
    extra = add_interlopers(rng, model, label)
    return display(rng, observe(rng, model), observe(rng, extra) if extra.any() else 0.0, label)


# --------------------------------------------------------------------------- data sets and files
def make_set(seed_seq, n_per_class):
    """Images and labels, sorted by class; every class has its own random stream."""
    X, y = [], []
    for label, child in enumerate(seed_seq.spawn(3)):
        rng = np.random.default_rng(child)
        for _ in range(n_per_class):
            X.append(render_stamp(rng, label).ravel())
            y.append(label)
    return np.array(X, dtype=np.uint8).reshape(-1, N * N), np.array(y, dtype=int)


def write_csv(path, X, y):
    """Write atomically: a temp file in the same folder, then os.replace. mkstemp makes the
    file private (mode 0600); it gets the usual permissions (0666 less the umask) first."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp_", suffix=".csv")
    try:
        with os.fdopen(fd, "w", newline="") as f:
            for lab, row in zip(y, X):
                f.write(f"{lab}," + ",".join(map(str, row.tolist())) + "\n")
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


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
    fig.suptitle(f"make_galaxies.py, seed {seed} (inverted: dark = galaxy)", fontsize=10)
    fig.tight_layout()
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)


# --------------------------------------------------------------------------- --stats
# Medians of the same quantities on the tutorial's real training set (published summary
# numbers from ../shared/data/galaxyzoo/STATS.md), for side-by-side comparison.
REAL = {"sky": (239, 244, 238), "noise": (3.9, 3.33, 3.75), "depth": (161, 162, 157),
        "r50": (7.19, 7.76, 7.96), "C": (2.23, 2.11, 2.07), "A": (0.044, 0.103, 0.247),
        "q": (0.77, 0.80, 0.69), "offset": (0.77, 0.68, 2.51), "second": (0.16, 0.27, 0.53)}
_YY, _XX = np.mgrid[0:N, 0:N].astype(float)
_EDGE = np.minimum(np.minimum(_YY, _XX), np.minimum(N - 1 - _YY, N - 1 - _XX))


def load_csv(path):
    d = np.loadtxt(path, delimiter=",", ndmin=2)
    if d.shape[1] != N * N + 1:
        raise ValueError(f"{path}: expected {N * N + 1} columns, found {d.shape[1]}")
    return d[:, 1:].reshape(-1, N, N), d[:, 0].astype(int)


def measure(img):
    """Summary numbers of one inverted image (same definitions in spirit as the reference tool).

    sky: median of the outer 3-px frame; noise: std of the 4 corners (6x6) after removing a
    plane, median of corners; depth: sky minus darkest pixel; with signal s = sky - pixel
    (galaxy light, clipped at 0) inside the smoothed detection region: light-weighted centroid
    and its offset from the stamp centre, r20/r50/r80 of the curve of growth, concentration
    C = 5 log10(r80/r20), axis ratio from the second moments, asymmetry A = sum|s - s_180|/sum|s|
    minus its expectation for pure noise, and whether a second compact peak (3x3 mean more than
    20 above a 3-5 px ring around it) lies more than 6 px from the centroid."""
    sky = np.median(img[_EDGE < 3])
    corners = []
    yy, xx = np.mgrid[0:6, 0:6]
    A = np.c_[np.ones(36), xx.ravel(), yy.ravel()]
    for sl in (np.s_[:6, :6], np.s_[:6, -6:], np.s_[-6:, :6], np.s_[-6:, -6:]):
        v = img[sl].ravel()
        resid = v - A @ np.linalg.lstsq(A, v, rcond=None)[0]
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
    dx, dy = _XX - cx, _YY - cy
    r = np.hypot(dx, dy)
    order = np.argsort(r.ravel())
    cum = np.cumsum(w.ravel()[order]) / W
    r20, r50, r80 = (np.interp(f, cum, r.ravel()[order]) for f in (0.2, 0.5, 0.8))
    mom = np.array([[(w * dx * dx).sum(), (w * dx * dy).sum()], [(w * dx * dy).sum(), (w * dy * dy).sum()]]) / W
    lo, hi = np.linalg.eigvalsh(mom)
    # rotate by 180 degrees about the centroid rounded to the half-pixel grid (exact permutation)
    sx, sy = int(round(2 * cx)), int(round(2 * cy))
    ii = np.arange(N)
    rx, ry = sx - ii, sy - ii
    ok = ((ry >= 0) & (ry < N))[:, None] & ((rx >= 0) & (rx < N))[None, :]
    rot = s[np.clip(ry, 0, N - 1)][:, np.clip(rx, 0, N - 1)]
    region = ok & (mask | mask[np.clip(ry, 0, N - 1)][:, np.clip(rx, 0, N - 1)])
    den = np.abs(s[region]).sum() + 1e-9
    asym = (np.abs(s - rot)[region].sum() - region.sum() * 2 * noise / np.sqrt(np.pi)) / den
    sm = ndimage.uniform_filter(s, 3, mode="nearest")
    peaks = (sm == ndimage.maximum_filter(sm, 5, mode="nearest")) & (r > 6) & (_EDGE >= 1)
    second = False
    for py, px in zip(*np.nonzero(peaks)):
        ring = (np.hypot(_XX - px, _YY - py) >= 3) & (np.hypot(_XX - px, _YY - py) <= 5)
        second |= sm[py, px] - np.median(s[ring]) > 20
    return dict(sky=sky, noise=noise, depth=sky - img.min(), r50=r50,
                C=5 * np.log10(r80 / max(r20, 1e-3)), A=asym, q=np.sqrt(max(lo, 0) / hi),
                offset=np.hypot(cx - CEN, cy - CEN), second=float(second))


def print_stats(paths):
    """Per-class medians of `measure` for each file, next to the real set's medians."""
    keys = list(REAL)
    for path in paths:
        X, y = load_csv(path)
        rows = [measure(img) for img in X]
        print(f"\n{path}: {len(y)} images, per class {np.bincount(y, minlength=3).tolist()}")
        print(f"{'quantity':<10}" + "".join(f"{c[:11] + ' ours/real':>22}" for c in CLASS_NAMES))
        for key in keys:
            line = f"{key:<10}"
            for label in range(3):
                vals = np.array([row[key] for row, lab in zip(rows, y) if lab == label], float)
                ours = vals.mean() if key == "second" else np.median(vals) if vals.size else np.nan
                line += f"{ours:>13.3g} / {REAL[key][label]:<6.3g}"
            print(line)
    print("\nmedians per class, except 'second' = fraction of images with a second compact source;"
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
        X, y = make_set(seq, n)
        write_csv(os.path.join(args.outdir, name), X, y)
        print(f"wrote {os.path.join(args.outdir, name)}: {len(y)} images ({n} per class)")
    print(f"done in {time.time() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
