"""The download: the article's own galaxies fetched when a user asks for them (--data tutorial).

They are SDSS images labelled by Galaxy Zoo 2 volunteers, which the project may not ship. They
are fetched at one fixed commit, each file's size and SHA-256 checked. Stored files that match
are used without the network; ANN_DATA_URL (the web address of a folder holding train.csv and
test.csv) stands in for GitHub. A file appears whole and checked or not at all, even on Ctrl-C,
which passes on as KeyboardInterrupt; a failure says the address, what went wrong, and how to
get the files by hand or from a mirror, as a UserError.
"""
import hashlib
import http.client
import math
import os
import socket
import sys
import time
import urllib.error
import urllib.request

from companions.data import UserError, write_atomically

COMMIT = "b9eb016f8724c7a9bb4958c701d7d4b7c266a73a"       # a fixed commit: the files never change
BASE_URL = f"https://raw.githubusercontent.com/pmocz/artificialneuralnetwork-python/{COMMIT}"
FOLDER = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                      "tutorial_data")                    # beside ann.py: where it is kept
URL_VARIABLE = "ANN_DATA_URL"                             # overrides BASE_URL when set
FILES = {                                                 # name: (sha256, size in bytes)
    "train.csv": ("c014d3e4ad0ec15edb33dbcb742a7f0da1d95d2af1deca975442fdca73373d0a", 11_021_087),
    "test.csv": ("233610481a8a9f33a6f4a317e361eebed55a6312a4c8d7c863e6d16252c5da25", 2_756_526),
}
CITATION = f"""\
The tutorial's galaxies come from the GitHub repository pmocz/artificialneuralnetwork-python,
commit {COMMIT}
(licence GPL-3.0). If you use them, please cite Galaxy Zoo 2, whose volunteers classified them
(Willett et al. 2013, MNRAS 435, 2835), the Sloan Digital Sky Survey (SDSS), which took the
images, and Philip Mocz, "Create Your Own Artificial Neural Network for Multi-class
Classification (With Python)", 2023, the tutorial that prepared them."""
# A silent server is dropped after TIMEOUT seconds (connecting, any one read), and a body bringing
# less than PROGRESS_STEP bytes in DEADLINE seconds: a working line (over 3 kB/s) gets there.
TIMEOUT, DEADLINE, PROGRESS_STEP = 10.0, 20.0, 64 * 1024
CHUNK, REDRAW_EVERY = 64 * 1024, 0.1    # bytes a read; seconds between redraws on a terminal


class _Fault(Exception):             # what went wrong, in a few words: becomes a UserError
    pass


def tutorial_data(folder=FOLDER, out=None):
    """The paths of the tutorial's train.csv and test.csv in `folder`, downloaded if missing or
    damaged. Messages and progress (one line redrawn on a terminal, a line a quarter elsewhere)
    go to `out` (default: sys.stdout). Raises UserError."""
    out = sys.stdout if out is None else out
    base = (os.environ.get(URL_VARIABLE) or BASE_URL).rstrip("/")
    if not base.lower().startswith(("http://", "https://")):
        raise UserError(f"{URL_VARIABLE}={base!r} is not a web address: give the address of a "
                        "folder holding train.csv and test.csv, such as "
                        f"{URL_VARIABLE}=http://127.0.0.1:8000/galaxies")
    paths = {name: os.path.join(folder, name) for name in FILES}
    shown = os.path.join(os.path.abspath(folder), "")           # absolute, ending in a slash
    by_hand = (f"download {' and '.join(f'{base}/{name}' for name in FILES)} into {shown} by "
               f"hand, set {URL_VARIABLE} to the address of a mirror's folder holding both, or "
               "give your own files with --train and --test")
    missing = [name for name in FILES if not _good(paths[name], *FILES[name])]
    for name in missing:
        if os.path.lexists(paths[name]):
            print(f"{name} in {shown} is damaged (its checksum does not match): fetching it "
                  "anew", file=out)
    if not missing:
        print(f"Using the tutorial's galaxies stored in {shown} (checksums match)", file=out)
        return paths["train.csv"], paths["test.csv"]
    made = not os.path.isdir(folder)
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as e:
        raise UserError(f"could not create the folder {shown}: {_describe(e)}; {by_hand}") from None
    print(f"Downloading {' and '.join(missing)} from {base}/ into {shown}", file=out)
    for name in missing:
        url = f"{base}/{name}"
        try:
            write_atomically(paths[name], lambda tmp: _fetch(url, tmp, *FILES[name], out))
        except (_Fault, UserError, KeyboardInterrupt) as fault:
            if made and not os.listdir(folder):    # a folder made for nothing goes too
                os.rmdir(folder)
            if isinstance(fault, KeyboardInterrupt):
                raise
            raise UserError(f"could not download {url}: {fault}; {by_hand}") from None
    print(CITATION, file=out)
    return paths["train.csv"], paths["test.csv"]


def tutorial_data_stored(folder):
    """Do train.csv and test.csv in folder match the article's (size and checksum)?"""
    return all(_good(os.path.join(folder, name), *FILES[name]) for name in FILES)


def _good(path, sha256, size):
    """Is the file at path there and whole: the expected size (checked first) and checksum?"""
    try:
        with open(path, "rb") as f:
            return os.path.getsize(path) == size and hashlib.sha256(f.read()).hexdigest() == sha256
    except OSError:                             # missing or unreadable
        return False


def _fetch(url, tmp, sha256, size, out):
    """Stream url into the file tmp, showing progress; raise _Fault if anything goes wrong."""
    name, started = os.path.basename(url), time.monotonic()
    try:
        response = urllib.request.urlopen(url, timeout=TIMEOUT)
    except urllib.error.HTTPError as err:        # before URLError: it is one
        err.close()
        raise _Fault(f"the server answered HTTP {err.code} {err.reason}") from None
    except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as err:
        raise _Fault(_describe(getattr(err, "reason", err))) from None
    done = stall_done = width = 0
    digest, stall_since, drawn_at = hashlib.sha256(), started, -math.inf     # never drawn
    on_terminal = getattr(out, "isatty", bool)()
    with response, open(tmp, "wb") as f:
        announced = response.headers.get("Content-Length", "")
        if announced.isdigit() and int(announced) != size:
            raise _Fault(f"the server announces {int(announced):,} bytes, expected {size:,}")
        try:
            while True:
                try:        # read1: what has arrived; read() waits for it all, however slowly
                    chunk = response.read1(min(CHUNK, size - done + 1))
                except (OSError, http.client.HTTPException) as err:     # a time-out too
                    raise _Fault(f"no data for {TIMEOUT:g} s after {done:,} of {size:,} bytes"
                                 if isinstance(err, (TimeoutError, socket.timeout)) else
                                 f"the connection dropped after {done:,} of {size:,} bytes "
                                 f"({_describe(err)})") from None
                if not chunk:                    # the server closed the connection
                    break
                done += len(chunk)
                if done > size:
                    raise _Fault(f"the server sent more than the expected {size:,} bytes")
                digest.update(chunk)
                f.write(chunk)
                now = time.monotonic()
                if (now - drawn_at >= REDRAW_EVERY or done == size if on_terminal else
                        4 * done // size > 4 * (done - len(chunk)) // size):   # a new quarter
                    line = f"{name}: {_amount(done, size)} ({100 * done // size} %), " + \
                        _amount(done / max(now - started, 1e-6)) + "/s"
                    out.write("\r" + line.ljust(width) if on_terminal else line + "\n")
                    out.flush()
                    drawn_at, width = now, max(width, len(line))   # (blanks a longer line's end)
                if done - stall_done >= PROGRESS_STEP:
                    stall_since, stall_done = now, done
                elif now - stall_since > DEADLINE:
                    raise _Fault(f"too slow: less than {PROGRESS_STEP // 1024} KiB in "
                                 f"{DEADLINE:g} s (stopped after {done:,} of {size:,} bytes)")
        finally:
            if on_terminal and width:            # end the line drawn, even on an error
                out.write("\n")
    if done < size:
        raise _Fault(f"the download stopped after {done:,} of {size:,} bytes")
    if digest.hexdigest() != sha256:
        raise _Fault(f"the file's checksum does not match (sha256 {digest.hexdigest()[:12]}..., "
                     f"expected {sha256[:12]}...)")


def _describe(err):
    """A network or file error in a few lowercase words, on one line."""
    text = next((said for kind, said in (
        (ConnectionRefusedError, "connection refused"),
        (socket.gaierror, "could not look up the host name (no network, or a wrong address?)"),
        ((TimeoutError, socket.timeout), f"no answer within {TIMEOUT:g} s"),
        (http.client.RemoteDisconnected, "the server closed the connection without answering"),
        (ValueError, f"not a valid address ({err})")) if isinstance(err, kind)),
        getattr(err, "strerror", None) or str(err) or type(err).__name__)
    text = " ".join(text.split())
    return text[:1].lower() + text[1:]


def _amount(count, of=None):          # 812.0 kB, 3.4 MB; with `of`: 3.4 of 11.0 MB
    scale, unit = (1e6, "MB") if (of or count) >= 1e6 else (1e3, "kB")
    return (f"{count / scale:.1f}" + (f" of {of / scale:.1f}" if of else "")) + f" {unit}"
