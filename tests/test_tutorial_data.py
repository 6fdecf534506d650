"""The download of the article's galaxies (--data tutorial). Every test speaks real HTTP to
conftest's server on 127.0.0.1, whose answers it chooses, about a few kB of CSV made here (FILES
patched to their checksums); any other host fails as a failed look-up would (the "no network"
case). Only the last test uses the real files. The faults, with their time limits, are full tier.
"""
import hashlib
import io
import os
import socket
import sys
import time

import pytest

from companions import download as td
from conftest import TUTORIAL, full, needs_tutorial_data


@pytest.fixture(autouse=True)
def local_only(monkeypatch):
    """Hosts beyond 127.0.0.1 fail as a failed look-up would: returns the list of those refused.
    No proxy, no ANN_DATA_URL from the environment."""
    refused = []
    real_create_connection = socket.create_connection

    def create_connection(address, *args, **kwargs):
        if address[0] not in ("127.0.0.1", "localhost"):
            refused.append(address[0])
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known (test: local only)")
        return real_create_connection(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", create_connection)
    for variable in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY",
                     "ALL_PROXY"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("no_proxy", "*")
    monkeypatch.delenv(td.URL_VARIABLE, raising=False)
    return refused


def csv_text(rows, seed):
    """A few kB in the project's format (label, gray levels), small rows to keep it light."""
    return "".join(",".join([str(k % 3)] + [str((seed * 31 + k * 7 + i * 13) % 256)
                                             for i in range(16)]) + "\n"
                   for k in range(rows)).encode()


@pytest.fixture
def small_files(monkeypatch):
    """Two small files to stand for train.csv and test.csv, FILES patched to match them, and
    small reads (CHUNK) so that each download takes several of them."""
    files = {"train.csv": csv_text(120, seed=1), "test.csv": csv_text(40, seed=2)}
    monkeypatch.setattr(td, "FILES", {name: (hashlib.sha256(body).hexdigest(), len(body))
                                      for name, body in files.items()})
    monkeypatch.setattr(td, "CHUNK", 256)
    return files


@pytest.fixture
def data(small_files, server, monkeypatch):
    """The small files, served by the local server, ANN_DATA_URL pointing at it (with a
    trailing slash, to be stripped)."""
    server.routes.update((name, ("file", body)) for name, body in small_files.items())
    monkeypatch.setenv(td.URL_VARIABLE, server.url + "/")
    return small_files


class TerminalOut(io.StringIO):
    """Output that claims to be a terminal."""

    def isatty(self):
        return True


def read(path):
    with open(path, "rb") as f:
        return f.read()


def refused_port():
    """A port on 127.0.0.1 that nothing listens on: bound, then closed."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def check_clean_failure(error, folder, url, left):
    """The promises of every fault: one line naming the address, ANN_DATA_URL and the ways out;
    in the folder, exactly the good files `left` (a dict name -> content) and nothing partial."""
    message = str(error)
    assert "\n" not in message and "\r" not in message, message
    assert message.startswith(f"could not download {url}: "), message
    assert "--train" in message and td.URL_VARIABLE in message, message
    for name in td.FILES:                    # both addresses, and where to put the files
        assert f"{os.path.dirname(url)}/{name}" in message, message
    assert os.path.join(os.path.abspath(folder), "") in message, message
    present = sorted(os.listdir(folder)) if os.path.isdir(folder) else []   # (an empty folder
    assert present == sorted(left), present                              # it made is removed)
    for name, content in left.items():
        assert read(os.path.join(folder, name)) == content


# ---- the happy paths ----------------------------------------------------------------------------

def test_first_download_fetches_both_checks_them_cites_them_and_prints_a_few_lines(
        data, server, tmp_path):
    folder = tmp_path / "tutorial_data"           # does not exist yet
    out = io.StringIO()
    old_umask = os.umask(0o022)
    try:
        train, test = td.tutorial_data(str(folder), out=out)
    finally:
        os.umask(old_umask)
    assert (train, test) == (str(folder / "train.csv"), str(folder / "test.csv"))
    assert read(train) == data["train.csv"] and read(test) == data["test.csv"]
    assert sorted(os.listdir(folder)) == ["test.csv", "train.csv"]     # no temporary file
    for path in (train, test):
        if sys.platform != "win32":                # 0666 less the umask of 022 set above
            assert os.stat(path).st_mode & 0o777 == 0o644
    assert server.requests == ["/train.csv", "/test.csv"]               # the slash stripped
    text = out.getvalue()
    assert td.CITATION in text and "\r" not in text and len(text.splitlines()) < 20
    for name in ("train.csv", "test.csv"):
        lines = [line for line in text.splitlines() if line.startswith(f"{name}: ")]
        assert 1 <= len(lines) <= 4, lines        # several reads each, yet a few lines only
        assert "(100 %)" in lines[-1] and lines[-1].endswith("/s"), lines
    size = len(data["train.csv"])
    assert f"train.csv: {size / 1e3:.1f} of {size / 1e3:.1f} kB (100 %), " in text


def test_on_a_terminal_the_progress_line_is_redrawn_in_place(data, tmp_path, monkeypatch):
    monkeypatch.setattr(td, "REDRAW_EVERY", 0.0)      # draw at every read
    out = TerminalOut()
    td.tutorial_data(str(tmp_path), out=out)
    lines = out.getvalue().split("\n")
    for name in ("train.csv", "test.csv"):
        drawn = [line for line in lines if f"{name}: " in line]
        assert len(drawn) == 1, drawn                          # one line, redrawn ...
        redraws = drawn[0].split("\r")
        assert redraws[0] == "" and len(redraws) > 3, redraws  # ... with \r, several times
        assert all(r.startswith(f"{name}: ") for r in redraws[1:])
        assert "(100 %)" in redraws[-1]


@pytest.mark.parametrize("damage", [None, "one byte changed", "cut short"])
def test_stored_files_are_used_without_the_network_and_a_damaged_one_is_fetched_anew(
        data, server, tmp_path, monkeypatch, local_only, damage):
    train, test = td.tutorial_data(str(tmp_path), out=io.StringIO())
    good = read(train)
    if damage:
        with open(train, "wb") as f:
            f.write(good[:10] + b"9" + good[11:] if damage == "one byte changed" else good[:100])
    else:                                            # no network needed: none there
        server.stop()
        monkeypatch.setenv(td.URL_VARIABLE, f"http://127.0.0.1:{refused_port()}")
    assert td.tutorial_data_stored(str(tmp_path)) == (damage is None)
    server.requests.clear()
    out = io.StringIO()
    assert td.tutorial_data(str(tmp_path), out=out) == (train, test) and read(train) == good
    assert server.requests == (["/train.csv"] if damage else []) and local_only == []
    damaged = [line for line in out.getvalue().splitlines() if " is damaged" in line]
    assert len(damaged) == bool(damage) and all("train.csv" in d and "anew" in d for d in damaged)
    assert sorted(os.listdir(tmp_path)) == ["test.csv", "train.csv"]
    assert (td.CITATION in out.getvalue()) == bool(damage) and len(out.getvalue()) < 2000


# ---- faults -------------------------------------------------------------------------------------
# Each: the server misbehaves on train.csv while a good test.csv is stored (or, once, the other way
# round), which must stay.

FAULTS = {   # name: (route for train.csv, made from its body; words the message must hold)
    "HTTP 404": (lambda body: ("status", 404), "HTTP 404"),
    "HTTP 500": (lambda body: ("status", 500), "HTTP 500"),
    "cut short, full length announced": (lambda body: ("announce", (body[:1000], len(body))),
                                         "stopped after 1,000 of"),
    "cut short, no length announced": (lambda body: ("unannounced", body[:1000]),
                                       "stopped after 1,000 of"),
    "shorter length announced": (lambda body: ("announce", (body[:1000], 1000)),
                                 "announces 1,000"),
    "longer length announced": (lambda body: ("announce", (body + body, 2 * len(body))),
                                "announces"),
    "longer body, no length announced": (lambda body: ("unannounced", body + b"1,2,3\n"),
                                         "more than the expected"),
    "endless body": (lambda body: ("endless", b""), "more than the expected"),
    "checksum mismatch": (lambda body: ("file", bytes(reversed(body))), "checksum does not match"),
    "connection reset mid-body": (lambda body: ("reset", body), "reset"),
    "silent server": (lambda body: ("silent", None), "no answer within 0.5 s"),
    "silent mid-body": (lambda body: ("half_then_wait", body), "no data for 0.5 s after"),
    "trickle": (lambda body: ("trickle", body), "too slow"),
}


@full
@pytest.mark.parametrize("fault", [*FAULTS, "HTTP 404 on the second file"])
def test_each_fault_is_one_line_naming_the_address_and_leaves_nothing_partial(
        fault, data, server, tmp_path, monkeypatch):
    monkeypatch.setattr(td, "TIMEOUT", 0.5)           # seconds, not the default 10 and 20
    monkeypatch.setattr(td, "DEADLINE", 1.0)
    second = fault.endswith("second file")              # the first, fetched, is kept
    bad, good = ("test.csv", "train.csv") if second else ("train.csv", "test.csv")
    (tmp_path / good).write_bytes(data[good])
    route, words = FAULTS[fault[:8] if second else fault]
    server.routes[bad] = route(data[bad])
    started = time.monotonic()
    with pytest.raises(td.UserError) as caught:
        td.tutorial_data(str(tmp_path), out=io.StringIO())
    assert time.monotonic() - started < 5
    assert words in str(caught.value)
    check_clean_failure(caught.value, tmp_path, f"{server.url}/{bad}", left={good: data[good]})


@pytest.mark.parametrize("address", [pytest.param("a port nobody listens on", marks=full),
                                     pytest.param("GitHub, with no network", marks=full),
                                     "one without http://"])
def test_an_address_that_cannot_serve_is_one_line_naming_it_and_the_ways_out(
        small_files, tmp_path, monkeypatch, local_only, address):
    url = {"a port nobody listens on": f"http://127.0.0.1:{refused_port()}",
           "one without http://": "127.0.0.1:8000"}.get(address)
    if url:
        monkeypatch.setenv(td.URL_VARIABLE, url)
    folder = tmp_path / "tutorial_data"
    with pytest.raises(td.UserError) as caught:
        td.tutorial_data(str(folder), out=io.StringIO())
    if address == "one without http://":            # the form expected, before anything
        assert str(caught.value).startswith("ANN_DATA_URL='127.0.0.1:8000' is not a web address")
        assert "ANN_DATA_URL=http://" in str(caught.value) and not folder.exists()
        return
    assert ("connection refused" if url else "could not look up the host name (no network"
            ) in str(caught.value)
    assert local_only == ([] if url else ["raw.githubusercontent.com"])
    check_clean_failure(caught.value, folder, f"{url or td.BASE_URL}/train.csv", left={})


@full
def test_a_folder_that_cannot_be_made_is_a_one_line_error(small_files, tmp_path):
    (tmp_path / "a_file").write_text("not a folder")
    with pytest.raises(td.UserError) as caught:
        td.tutorial_data(str(tmp_path / "a_file" / "tutorial_data"), out=io.StringIO())
    message = str(caught.value)
    assert "\n" not in message and message.startswith("could not create the folder ")
    assert "--train" in message


@full
def test_ctrl_c_mid_download_removes_the_temporary_file_and_passes_on(data, server, tmp_path):
    server.routes["train.csv"] = ("half_then_wait", data["train.csv"])
    seen = []

    class InterruptedOut(TerminalOut):               # Ctrl-C as the first progress is drawn
        def write(self, text):
            if "train.csv: " in text:
                seen.extend(os.listdir(tmp_path))
                raise KeyboardInterrupt
            return super().write(text)

    with pytest.raises(KeyboardInterrupt):
        td.tutorial_data(str(tmp_path), out=InterruptedOut())
    assert len(seen) == 1 and seen[0].startswith(".train.csv."), seen   # was streaming
    assert os.listdir(tmp_path) == []


# ---- the real files -----------------------------------------------------------------------------

@needs_tutorial_data
def test_the_real_checksums_accept_the_real_files(server, tmp_path, local_only, monkeypatch):
    for name in td.FILES:
        server.routes[name] = ("file", read(os.path.join(TUTORIAL, name)))
    monkeypatch.setenv(td.URL_VARIABLE, server.url)
    train, test = td.tutorial_data(str(tmp_path), out=io.StringIO())
    assert read(train) == read(os.path.join(TUTORIAL, "train.csv"))
    assert read(test) == read(os.path.join(TUTORIAL, "test.csv"))
    server.requests.clear()                       # stored files that match: no request
    out = io.StringIO()
    assert td.tutorial_data(TUTORIAL, out=out) == (os.path.join(TUTORIAL, "train.csv"),
                                                   os.path.join(TUTORIAL, "test.csv"))
    assert server.requests == [] and local_only == [] and "checksums match" in out.getvalue()
