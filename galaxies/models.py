"""The physical models of the project's galaxies: light profiles, and the three classes drawn
from them (make_elliptical, make_spiral, make_irregular, in MAKERS by class), with the stars and
neighbours that share their field. Each maker returns linear flux on a supersampled grid a few
pixels larger than the stamp (GX, GY); camera.py turns it into a stamp."""
import numpy as np
from scipy import ndimage
from scipy.special import gamma as gamma_fn

N = 32                      # stamp size in pixels
PAD = 4                     # extra pixels rendered on every side, cropped after the PSF blur
SS = 4                      # supersampling factor per axis
CEN = (N - 1) / 2.0         # stamp centre, pixel centres at integer coordinates
CLASS_NAMES = ("Elliptical", "Spiral", "Irregular")


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



def patchy(rng, scale, amp):
    """Multiplicative log-normal random field, mean 1: exp(amp * f - amp**2 / 2), f a
    unit-variance Gaussian random field smoothed over `scale` px. Applied to a disk it makes the
    uneven, lopsided light of star-forming patches and dust lanes, with no round clumps."""
    smooth = ndimage.fourier_gaussian(np.fft.rfft2(rng.standard_normal((_G, _G))), scale * SS,
                                      n=_G)
    field = np.fft.irfft2(smooth, s=(_G, _G))   # smoothing by FFT: fast, periodic like mode="wrap"
    return np.exp(amp * field / field.std() - amp ** 2 / 2)


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
    re = rng.uniform(2.5, 5.5)          # so that the stretched halo (and envelope) fills the stamp
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
        img += tidal_tail(rng, x0, y0, rng.uniform(6, 12), rng.uniform(-1.0, 1.0),
                          rng.uniform(0, 2 * np.pi), rng.uniform(0.02, 0.08), rng.uniform(1.2, 2.2))
    if rng.random() < 0.08:             # rarely a faint compact knot in the halo (a satellite)
        img += gauss_blob(x0 + rng.normal(0, 4), y0 + rng.normal(0, 4), 0.7,
                          rng.uniform(0.002, 0.01))
    return img


def stellar_bar(rng, x0, y0, pa, cos_i, h):
    """A spiral's bar: flat, elongated, its length about 1-2 disk scale lengths h, at a random
    angle in the plane of a disk centred at x0, y0 (position angle pa, inclination cos_i), with
    5-15 % of the galaxy's flux."""
    bar_pa = rng.uniform(0, np.pi)
    u, v = rotated(x0, y0, pa)
    v = v / cos_i
    c, s = np.cos(bar_pa), np.sin(bar_pa)
    bu, bv = u * c + v * s, -u * s + v * c
    lb = rng.uniform(1.0, 2.0) * h
    bar = np.exp(-((bu / lb) ** 2 + (bv / (0.25 * lb)) ** 2) ** 1.5)
    return rng.uniform(0.05, 0.15) * bar / (bar.sum() / SS ** 2)


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
    # arm modulation 0 (smooth, S0-like) to +-50 %; kept weak: arms are subtle at 32 px
    strength = rng.uniform(0.0, 0.5)
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
    img += sersic(x0, y0, rng.uniform(0.5, 1.2), rng.uniform(1.0, 3.0), rng.uniform(0.7, 1.0), pa,
                  bt)
    if rng.random() < 0.3:              # a bar in about 30 %
        img += stellar_bar(rng, x0, y0, pa, cos_i, h)
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


def irregular_merger(rng):
    """Two galaxies merging: a primary near the centre, a companion 5-15 px away (often near
    the edge) with 0.1-1 of its flux, a common uneven envelope stretched between them, and
    tails."""
    x0, y0 = centre_jitter(rng, 0.8)
    sep = rng.uniform(5, 15)
    ang = rng.uniform(0, 2 * np.pi)
    x1, y1 = x0 + sep * np.cos(ang), y0 + sep * np.sin(ang)
    img = sersic(x0, y0, rng.uniform(1.0, 3.0), rng.uniform(1.5, 4), rng.uniform(0.5, 1),
                 rng.uniform(0, np.pi), 1.0)
    img += sersic(x1, y1, rng.uniform(0.5, 2.0), rng.uniform(1.5, 4), rng.uniform(0.5, 1),
                  rng.uniform(0, np.pi), rng.uniform(0.1, 1.0))
    r, th = disk_coords((x0 + x1) / 2, (y0 + y1) / 2, ang, rng.uniform(0.4, 0.8))
    h = rng.uniform(3.0, 5.0)
    env = np.exp(-r / h) * patchy(rng, rng.uniform(1.0, 2.5), rng.uniform(0.3, 0.6))
    img += rng.uniform(0.4, 1.2) * env / (env.sum() / SS ** 2)
    for xs, ys, a in ((x0, y0, ang + np.pi), (x1, y1, ang)):
        if rng.random() < 0.6:
            img += tidal_tail(rng, xs, ys, rng.uniform(5, 12), rng.uniform(-1.5, 1.5),
                              a + rng.normal(0, 0.6), rng.uniform(0.05, 0.3),
                              rng.uniform(0.8, 1.5))
    return img


def irregular_tidal(rng):
    """A galaxy that would pass for normal, with one or two long curved tails or a broad plume
    (tails reach a few disk diameters: 8-16 px here); half the time the perturber sits at the
    end of the tail."""
    x0, y0 = centre_jitter(rng, 0.8)
    pa = rng.uniform(0, np.pi)
    img = sersic(x0, y0, rng.uniform(2.0, 4.5), rng.uniform(1.0, 4.0), rng.uniform(0.4, 1.0), pa,
                 1.0)
    a = rng.uniform(0, 2 * np.pi)
    for k in range(rng.integers(1, 3)):
        length, curl = rng.uniform(8, 16), rng.uniform(-2.0, 2.0)
        img += tidal_tail(rng, x0, y0, length, curl, a + k * np.pi, rng.uniform(0.15, 0.5),
                          rng.uniform(1.0, 2.2))
        if k == 0 and rng.random() < 0.5:
            end = a + curl
            img += sersic(x0 + length * np.cos(end), y0 + length * np.sin(end),
                          rng.uniform(0.5, 1.5), rng.uniform(1, 3), rng.uniform(0.5, 1),
                          rng.uniform(0, np.pi), rng.uniform(0.05, 0.4))
    return img


def irregular_warped(rng):
    """A disk bent like an integral sign by a passing neighbour (warps beyond 10-20 degrees are
    tidal, Reshetnikov & Combes 1998), seen inclined, with a nucleus, often with a one-sided
    tail and the neighbour itself near the edge of the stamp."""
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
    img += sersic(x0, y0, rng.uniform(0.6, 1.5), rng.uniform(1.5, 3.0), rng.uniform(0.6, 1), pa,
                  rng.uniform(0.1, 0.3))
    if rng.random() < 0.5:
        img += tidal_tail(rng, x0, y0, rng.uniform(8, 14), rng.uniform(-1.5, 1.5),
                          pa + rng.choice([0, np.pi]), rng.uniform(0.1, 0.3),
                          rng.uniform(0.8, 1.5))
    if rng.random() < 0.3:
        d, a = rng.uniform(9, 16), rng.uniform(0, 2 * np.pi)
        img += sersic(x0 + d * np.cos(a), y0 + d * np.sin(a), rng.uniform(0.5, 1.5),
                      rng.uniform(1, 3), rng.uniform(0.5, 1), rng.uniform(0, np.pi),
                      rng.uniform(0.05, 0.4))
    return img


def diffuse_body(rng):
    """The light of a clumpy or disturbed irregular: a diffuse body off the nominal centre,
    elongated, lopsided and patchy (much patchier than a spiral's disk), of total flux 1.
    Returns it with the nominal centre (x0, y0), the body's own (bx, by), its orientation pa,
    cos_i, scale length h, and each grid point's radius r and azimuth th in its plane."""
    x0, y0 = centre_jitter(rng, 1.0)
    off = rng.uniform(0.5, 3.5)
    ang = rng.uniform(0, 2 * np.pi)
    bx, by = x0 + off * np.cos(ang), y0 + off * np.sin(ang)
    pa = rng.uniform(0, np.pi)
    cos_i = rng.uniform(0.3, 1.0)
    h = rng.uniform(4.0, 6.5)
    r, th = disk_coords(bx, by, pa, cos_i)
    body = np.exp(-r / h) * lopsided(r, th, h, rng.uniform(0.4, 1.0), rng.uniform(0, 2 * np.pi))
    body *= patchy(rng, rng.uniform(1.0, 2.5), rng.uniform(0.4, 0.8))
    body /= body.sum() / SS ** 2
    return body, dict(x0=x0, y0=y0, bx=bx, by=by, pa=pa, cos_i=cos_i, h=h, r=r, th=th)


def with_clumps(rng, img, n_clumps, body):
    """img with n_clumps star-forming complexes scattered over the body (diffuse_body's
    numbers): of different sizes and often elongated, not all round blobs."""
    for _ in range(n_clumps):
        rc = body["h"] * np.sqrt(rng.uniform(0.05, 2.0))
        a = rng.uniform(0, 2 * np.pi)
        img += gauss_blob(body["bx"] + rc * np.cos(a), body["by"] + rc * np.sin(a) * body["cos_i"],
                          rng.uniform(0.4, 1.2), rng.uniform(0.01, 0.06), rng.uniform(0.35, 1.0),
                          rng.uniform(0, np.pi))
    return img


def irregular_disturbed(rng):
    """A disturbed disk: the diffuse body with one or two weak, wide arms and a small bulge,
    and up to two clumps."""
    light, body = diffuse_body(rng)
    pat, _ = spiral_pattern(body["r"], body["th"], rng.choice([1, 2]), rng.uniform(15, 45),
                            rng.uniform(0, 2 * np.pi), rng.uniform(1, 3), 0.6 * body["h"])
    light = light * (1 + rng.uniform(0.3, 0.8) * (pat - 1))
    img = 0.75 * light + sersic(body["x0"], body["y0"], rng.uniform(0.8, 1.8), rng.uniform(1, 2.5),
                                rng.uniform(0.6, 1), body["pa"], 0.15)
    return with_clumps(rng, img, rng.integers(0, 3), body)


def irregular_clumpy(rng):
    """A clumpy irregular: the diffuse body with one to five clumps, the brightest clump or
    nucleus near the catalogue centre."""
    light, body = diffuse_body(rng)
    img = rng.uniform(0.5, 0.8) * light
    n_clumps = rng.integers(1, 6)
    img += gauss_blob(body["x0"], body["y0"], rng.uniform(0.5, 1.5), rng.uniform(0.05, 0.25),
                      rng.uniform(0.5, 1), rng.uniform(0, np.pi))
    return with_clumps(rng, img, n_clumps, body)


# The kinds of irregular, each with its share and its maker (the order is the draw's: a seed
# gives the same galaxies only in this order).
IRREGULAR_KINDS = {"clumpy": (0.15, irregular_clumpy), "disturbed": (0.25, irregular_disturbed),
                   "merger": (0.35, irregular_merger), "tidal": (0.15, irregular_tidal),
                   "warped": (0.1, irregular_warped)}


def make_irregular(rng):
    """No symmetry. Four kinds (Galaxy Zoo 'odd' and irregular objects are mostly these):
    clumpy irregulars (patchy, lopsided diffuse light with a few star-forming clumps, cf.
    Elmegreen et al. 2007), disturbed disks (strong m = 1 lopsidedness, Zaritsky & Rix 1997),
    merging pairs and otherwise normal-looking galaxies with a tidal tail or plume (Toomre &
    Toomre 1972), and warped, inclined disks with a neighbour nearby. Shares chosen by hand, so
    that pairs, tails, warps and lumpy dwarfs appear about as often as in the real set's
    Irregular class (eyeballed, not fitted): IRREGULAR_KINDS."""
    kind = rng.choice(list(IRREGULAR_KINDS), p=[share for share, _ in IRREGULAR_KINDS.values()])
    return IRREGULAR_KINDS[kind][1](rng)


MAKERS = (make_elliptical, make_spiral, make_irregular)


def add_interlopers(rng, img, label):
    """Foreground stars and small background neighbours, anywhere in the field (galaxies cluster,
    so irregulars/mergers have them more often). Returned separately as they may outshine it."""
    extra = np.zeros_like(img)
    p_star = (0.10, 0.12, 0.15)[label]
    p_neighbour = (0.12, 0.10, 0.12)[label]
    if rng.random() < p_star:
        d, a = rng.uniform(7, 17), rng.uniform(0, 2 * np.pi)
        extra += gauss_blob(CEN + d * np.cos(a), CEN + d * np.sin(a), 0.15,
                            10 ** rng.uniform(-2.3, -0.5))
    if rng.random() < p_neighbour:
        d, a = rng.uniform(8, 18), rng.uniform(0, 2 * np.pi)
        extra += sersic(CEN + d * np.cos(a), CEN + d * np.sin(a), rng.uniform(0.6, 1.5),
                        rng.uniform(1, 4), rng.uniform(0.4, 1), rng.uniform(0, np.pi),
                        10 ** rng.uniform(-2, -0.8))
    return extra
