"""The camera: a model galaxy's light blurred, binned and cropped to a 32 x 32 stamp, noise
added and shown through an asinh stretch (render_stamp), and the sharper, deeper colour view the
simulated volunteers see of it."""
import numpy as np
from scipy import ndimage
from scipy.signal import fftconvolve

from galaxies.models import CEN, MAKERS, N, PAD, SS, _G, add_interlopers

def moffat_kernel(fwhm, beta=3.0):
    """Moffat PSF (Moffat 1969; beta ~3 fits ground-based seeing) on the supersampled grid."""
    alpha = fwhm / (2 * np.sqrt(2 ** (1 / beta) - 1))
    h = int(np.ceil(3 * fwhm * SS))
    ax = np.arange(-h, h + 1) / SS
    rr = ax[None, :] ** 2 + ax[:, None] ** 2
    k = (1 + rr / alpha ** 2) ** (-beta)
    return k / k.sum()



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
    noise = ndimage.convolve1d(ndimage.convolve1d(noise, k1, axis=0, mode="wrap"), k1, axis=1,
                               mode="wrap")
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
    stamp, view = display(rng, observe(model, fwhm),
                          observe(extra, fwhm) if extra.any() else 0.0, label, sharp)
    blue = rng.beta(*BLUENESS[label])
    return (stamp, view, blue) if with_view else stamp
