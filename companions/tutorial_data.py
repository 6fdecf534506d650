"""
companions/tutorial_data.py: download the tutorial's real galaxies when a user asks for them
(`python ann.py --data tutorial`).

The project ships its own synthetic galaxies. The tutorial's real ones, SDSS images classified by
Galaxy Zoo 2 volunteers, live in the tutorial's GitHub repository; the project may not ship them,
so this module fetches them on request, from one fixed commit, and checks every file's size and
SHA-256 checksum before it is used:

    from companions.tutorial_data import DownloadError, tutorial_data
    train_csv, test_csv = tutorial_data("tutorial_data")     # may raise DownloadError

What it promises:
- Files already in the folder whose checksums match are used as they are, without the network.
- A file appears in the folder only whole and checked: it is streamed into a hidden temporary
  file next to it and renamed into place at the end, so a crash never leaves a half file.
- Every failure is a DownloadError whose message is one line: which address, what went wrong,
  and how to get the files by hand. Nothing half-written is left behind. Ctrl-C removes the
  temporary file and is passed on as KeyboardInterrupt.
- A mirror (or a test's server) can stand in for GitHub: set ANN_DATA_URL to the address of the
  folder that holds train.csv and test.csv.

Standard library only.
"""

import hashlib
import http.client
import os
import socket
import sys
import time
import urllib.error
import urllib.request

# ---- What to fetch, and from where -------------------------------------------------------------
COMMIT = "b9eb016f8724c7a9bb4958c701d7d4b7c266a73a"       # a fixed commit: the files never change
BASE_URL = f"https://raw.githubusercontent.com/pmocz/artificialneuralnetwork-python/{COMMIT}"
URL_VARIABLE = "ANN_DATA_URL"                             # overrides BASE_URL when set
FILES = {                                                 # name: (sha256, size in bytes)
    "train.csv": ("c014d3e4ad0ec15edb33dbcb742a7f0da1d95d2af1deca975442fdca73373d0a", 11_021_087),
    "test.csv": ("233610481a8a9f33a6f4a317e361eebed55a6312a4c8d7c863e6d16252c5da25", 2_756_526),
}
CITATION = f"""\
The tutorial's galaxies come from the GitHub repository pmocz/artificialneuralnetwork-python,
commit {COMMIT} (licence GPL-3.0). If you use them, please cite:
  - Galaxy Zoo 2, whose volunteers classified the galaxies: Willett et al. 2013, MNRAS 435, 2835;
  - the Sloan Digital Sky Survey (SDSS), which took the images;
  - Philip Mocz, "Create Your Own Artificial Neural Network for Multi-class Classification
    (With Python)", 2023, the tutorial that prepared them."""

# ---- How patient to be -------------------------------------------------------------------------
# A server that accepts the connection and then says nothing, or trickles a byte now and then,
# must not hang the program. Two limits see to it: every single wait on the network (connecting,
# each read) gives up after TIMEOUT seconds, and a file's body that has not brought PROGRESS_STEP
# bytes within DEADLINE seconds gives up too. So a silent server is dropped after TIMEOUT, and a
# stuck body ends within DEADLINE + TIMEOUT = 30 s, while a slow but working line (over about
# 3 kB/s) still gets there. Not bounded: the host-name look-up (the system's resolver has its
# own limits) and a server that trickles its status line and headers a byte at a time.
TIMEOUT = 10.0
DEADLINE = 20.0
PROGRESS_STEP = 64 * 1024

CHUNK = 64 * 1024          # bytes asked for per read
REDRAW_EVERY = 0.1         # seconds between redraws of the progress line on a terminal


class DownloadError(Exception):
    """A download that failed. str(error) is one line for the user: what went wrong, what to do."""


class _Fault(Exception):
    """What went wrong with one address, in a few words; _download makes it a DownloadError."""


# ================================================================================================
# The one public function
# ================================================================================================

def tutorial_data(folder, out=None):
    """The tutorial's train.csv and test.csv in `folder`, downloaded if missing or damaged.

    Returns (train_path, test_path). Messages and the progress line go to `out` (default: the
    sys.stdout of the moment). Raises DownloadError (one-line message) when the files cannot be
    had; KeyboardInterrupt passes through, with no temporary file left behind.
    """
    out = sys.stdout if out is None else out
    base = (os.environ.get(URL_VARIABLE) or BASE_URL).rstrip("/")
    urls = {name: f"{base}/{name}" for name in FILES}
    paths = {name: os.path.join(folder, name) for name in FILES}
    shown_folder = os.path.join(os.path.abspath(folder), "")     # absolute, ending in a slash
    # The way out that every error message offers.
    by_hand = (f"download {' and '.join(urls.values())} into {shown_folder} by hand, "
               "or give your own files with --train and --test")

    missing = []
    for name, (sha256, size) in FILES.items():
        state = _stored_state(paths[name], sha256, size)
        if state == "damaged":
            print(f"{name} in {shown_folder} is damaged (its checksum does not match): "
                  "fetching it anew", file=out)
            _remove(paths[name])      # so that a failed download cannot leave it to be used
        if state != "good":
            missing.append(name)
    if not missing:
        print(f"Using the tutorial's galaxies stored in {shown_folder} (checksums match)", file=out)
        return paths["train.csv"], paths["test.csv"]

    made = not os.path.isdir(folder)
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as err:
        raise DownloadError(f"could not create the folder {shown_folder}: {_describe(err)}; "
                            f"{by_hand}") from err
    print(f"Downloading {' and '.join(missing)} from {base}/ into {shown_folder}", file=out)
    for name in missing:
        sha256, size = FILES[name]
        try:
            _fetch(urls[name], paths[name], sha256, size, out)
        except (_Fault, KeyboardInterrupt) as fault:
            if made and not os.listdir(folder):    # a folder made for nothing goes too
                os.rmdir(folder)
            if isinstance(fault, KeyboardInterrupt):
                raise
            raise DownloadError(f"could not download {urls[name]}: {fault}; {by_hand}") \
                from fault.__cause__
    print(CITATION, file=out)
    return paths["train.csv"], paths["test.csv"]


# ================================================================================================
# Checking and fetching one file
# ================================================================================================

def _stored_state(path, sha256, size):
    """'good' if the file at `path` has the expected size and checksum, 'missing' or 'damaged'."""
    if not os.path.exists(path):
        return "missing"
    try:
        if os.path.getsize(path) != size:       # cheaper than the checksum, and usually enough
            return "damaged"
        return "good" if _sha256_of_file(path) == sha256 else "damaged"
    except OSError:                             # unreadable (a folder, no permission): fetch anew
        return "damaged"


def _sha256_of_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fetch(url, path, sha256, size, out):
    """Download `url` to `path` through a temporary file; raise _Fault if anything goes wrong."""
    started = time.monotonic()
    try:
        response = urllib.request.urlopen(url, timeout=TIMEOUT)
    except urllib.error.HTTPError as err:       # before URLError: it is one
        err.close()
        raise _Fault(f"the server answered HTTP {err.code} {err.reason}") from err
    except urllib.error.URLError as err:        # urllib wraps the network's own error in it
        raise _Fault(_describe(err.reason)) from err
    except (OSError, http.client.HTTPException) as err:   # e.g. no answer after connecting
        raise _Fault(_describe(err)) from err
    except ValueError as err:                   # e.g. ANN_DATA_URL without http://
        raise _Fault(f"not a valid address ({err})") from err

    with response:
        announced = _content_length(response)
        # A different size can never pass the checksum: better to say so before reading it all.
        if announced is not None and announced != size:
            raise _Fault(f"the server announces {announced:,} bytes, expected {size:,}")
        try:
            temporary, f = _create_temporary(path)
        except OSError as err:
            raise _Fault(f"could not write in {os.path.dirname(path) or '.'}: "
                         f"{_describe(err)}") from err
        try:
            with f:
                digest = _stream(response, f, size, os.path.basename(path), out, started)
            if digest != sha256:
                raise _Fault(f"the file's checksum does not match (sha256 {digest[:12]}..., "
                             f"expected {sha256[:12]}...)")
            try:
                os.replace(temporary, path)     # atomic: the file appears whole or not at all
            except OSError as err:
                raise _Fault(f"could not move it into place as {path}: {_describe(err)}") from err
        except BaseException:                   # a fault, or Ctrl-C: leave nothing half-written
            _remove(temporary)
            raise


def _stream(response, f, size, name, out, started):
    """Copy the body of `response` into file `f`, showing progress; return its sha256 (hex).

    Reads at most one byte more than `size`, which is enough to tell that a body is too long.
    """
    digest = hashlib.sha256()
    done = 0
    progress = _Progress(name, size, out)
    stall_since, stall_done = started, 0        # when the last PROGRESS_STEP bytes were complete
    try:
        while True:
            try:
                # read1 returns whatever has arrived, waiting at most TIMEOUT for it; read()
                # would wait for a whole CHUNK, which a trickling server could make last forever.
                chunk = response.read1(min(CHUNK, size - done + 1))
            except (TimeoutError, socket.timeout) as err:
                raise _Fault(f"no data for {TIMEOUT:g} s after {done:,} of {size:,} bytes") from err
            except (OSError, http.client.HTTPException) as err:
                raise _Fault(f"the connection dropped after {done:,} of {size:,} bytes "
                             f"({_describe(err)})") from err
            if not chunk:                       # the server closed the connection
                break
            done += len(chunk)
            if done > size:
                raise _Fault(f"the server sent more than the expected {size:,} bytes")
            digest.update(chunk)
            try:
                f.write(chunk)
            except OSError as err:
                raise _Fault(f"could not write {f.name}: {_describe(err)}") from err
            progress.update(done)
            now = time.monotonic()
            if done - stall_done >= PROGRESS_STEP:
                stall_since, stall_done = now, done
            elif now - stall_since > DEADLINE:
                raise _Fault(f"too slow: less than {PROGRESS_STEP // 1024} KiB in {DEADLINE:g} s "
                             f"(stopped after {done:,} of {size:,} bytes)")
    finally:
        progress.close()
    if done < size:
        raise _Fault(f"the download stopped after {done:,} of {size:,} bytes")
    return digest.hexdigest()


def _content_length(response):
    """The size the server announces, or None if it announces none (or nonsense)."""
    try:
        return int(response.headers.get("Content-Length"))
    except (TypeError, ValueError):
        return None


def _create_temporary(path):
    """A new hidden file beside `path`, e.g. .train.csv.part-1a2b3c4d; returns (its path, file).

    Created with mode 0666 so that the system applies the user's umask, as for any ordinary file
    (tempfile.mkstemp would make it private, 0600, and the finished file would stay so).
    """
    folder, name = os.path.split(path)
    while True:
        temporary = os.path.join(folder, f".{name}.part-{os.urandom(4).hex()}")
        try:
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL
                         | getattr(os, "O_BINARY", 0), 0o666)     # O_BINARY: Windows only
        except FileExistsError:                 # another download's name: draw again
            continue
        return temporary, os.fdopen(fd, "wb")


def _remove(path):
    try:
        os.remove(path)
    except OSError:
        pass


def _describe(err):
    """A network or file error in a few lowercase words, on one line."""
    if isinstance(err, str):
        text = err
    elif isinstance(err, ConnectionRefusedError):
        text = "connection refused"
    elif isinstance(err, socket.gaierror):
        text = "could not look up the host name (no network, or a wrong address?)"
    elif isinstance(err, (TimeoutError, socket.timeout)):
        text = f"no answer within {TIMEOUT:g} s"
    elif isinstance(err, http.client.RemoteDisconnected):
        text = "the server closed the connection without answering"
    elif isinstance(err, OSError) and err.strerror:
        text = err.strerror
    else:
        text = str(err) or type(err).__name__
    text = " ".join(text.split())               # one line, whatever the error says
    return text[:1].lower() + text[1:]


# ================================================================================================
# The progress line
# ================================================================================================

class _Progress:
    """The progress of one download: bytes done of the total, and the rate.

    On a terminal, one line redrawn in place (with a carriage return) at most every REDRAW_EVERY
    seconds; elsewhere (a log file, a pipe) a plain line at 25, 50, 75 and 100 %, never more.
    """

    def __init__(self, name, total, out):
        self.name, self.total, self.out = name, total, out
        self.started = time.monotonic()
        self.on_terminal = _is_terminal(out)
        self.drawn_at = None        # when the terminal line was last drawn
        self.width = 0              # its longest text so far, to blank out leftovers
        self.quarters = 0           # plain lines printed so far

    def text(self, done):
        scale, unit = (1e6, "MB") if self.total >= 1e6 else (1e3, "kB")
        rate = done / max(time.monotonic() - self.started, 1e-6)
        percent = 100 * done // self.total if self.total else 100
        return (f"{self.name}: {done / scale:.1f} of {self.total / scale:.1f} {unit} "
                f"({percent} %), {_amount(rate)}/s")

    def update(self, done):
        if self.on_terminal:
            now = time.monotonic()
            if self.drawn_at is None or now - self.drawn_at >= REDRAW_EVERY or done >= self.total:
                text = self.text(done)
                self.out.write("\r" + text.ljust(self.width))
                _flush(self.out)
                self.width = max(self.width, len(text))
                self.drawn_at = now
        else:
            quarters = min(4, 4 * done // self.total) if self.total else 4
            if quarters > self.quarters:    # one line even if a read crossed several quarters
                self.quarters = quarters
                print(self.text(done), file=self.out)

    def close(self):
        """End the terminal line, so that what follows (even an error) starts on a new one."""
        if self.on_terminal and self.drawn_at is not None:
            self.out.write("\n")
            _flush(self.out)


def _amount(count):
    """A number of bytes in a unit that suits it: 812.0 kB, 3.4 MB."""
    return f"{count / 1e6:.1f} MB" if count >= 1e6 else f"{count / 1e3:.1f} kB"


def _is_terminal(out):
    try:
        return bool(out.isatty())
    except (AttributeError, ValueError):        # no isatty, or a closed file
        return False


def _flush(out):
    flush = getattr(out, "flush", None)
    if flush is not None:
        flush()
