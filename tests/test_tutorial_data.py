"""Tests for companions/tutorial_data.py, which downloads the tutorial's real galaxies on request.

Every test speaks real HTTP, but only to a small server it starts on 127.0.0.1, whose answers each
test chooses: a file, an HTTP error, a body cut short, silence, a trickle, a connection reset.
The files are a few kB of CSV text made here, with FILES patched to their checksums and sizes, so
the tests need neither the network nor /work/shared. An autouse fixture refuses any connection
beyond 127.0.0.1 (as a failed host-name look-up, which also serves as the "no network" case).
Only the last test uses the real files, and it skips when ../shared/data/galaxyzoo is absent.
The happy paths are in the default tier; the faults, each with its own time limits, in the full
tier.
"""
import hashlib
import http.server
import io
import os
import socket
import struct
import sys
import threading
import time

import pytest

from companions import tutorial_data as td
from conftest import TUTORIAL, full, needs_tutorial_data

LOCAL_HOSTS = ("127.0.0.1", "localhost")


# ---- a server whose every answer the test chooses -----------------------------------------------

class Handler(http.server.BaseHTTPRequestHandler):
    """Answers GET /NAME as server.routes[NAME] = (behaviour, argument) says (default: 404).

    HTTP/1.0 (the default here): one request a connection, closed when the handler returns, so a
    body without Content-Length simply ends there.
    """

    def do_GET(self):
        name = self.path.lstrip("/")
        self.server.requests.append(self.path)
        behaviour, argument = self.server.routes.get(name, ("status", 404))
        getattr(self, "send_" + behaviour)(argument)

    def log_message(self, *args):       # keep the test output quiet
        pass

    def headers_for(self, length):
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        if length is not None:
            self.send_header("Content-Length", str(length))
        self.end_headers()

    def send_file(self, body):
        self.headers_for(len(body))
        self.wfile.write(body)

    def send_status(self, code):
        self.send_error(code)

    def send_truncated(self, body_and_count):
        """Announce the whole body, send only its first `count` bytes, close."""
        body, count = body_and_count
        self.headers_for(len(body))
        self.wfile.write(body[:count])

    def send_announcing(self, body_and_length):
        """Send the body, announcing another length."""
        body, length = body_and_length
        self.headers_for(length)
        self.wfile.write(body[:length])

    def send_unannounced(self, body):
        """Send the body without Content-Length: the end of the connection ends it."""
        self.headers_for(None)
        self.wfile.write(body)

    def send_endless(self, _):
        """A body without Content-Length that goes on (up to 100 MB) until the client hangs up."""
        self.headers_for(None)
        block = b"0," * 4096
        try:
            for _ in range(100_000_000 // len(block)):
                self.wfile.write(block)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def send_silent(self, _):
        """Accept the request, then say nothing until the test ends."""
        self.server.release.wait(10)

    def send_trickle(self, body):
        """A byte every 50 ms: never silent long enough for a read to time out."""
        self.headers_for(len(body))
        try:
            for i in range(len(body)):
                if self.server.release.wait(0.05):
                    return
                self.wfile.write(body[i:i + 1])
        except (BrokenPipeError, ConnectionResetError):
            pass

    def send_half_then_wait(self, body):
        """Announce the whole body, send half, then wait, silent, until the test ends."""
        self.headers_for(len(body))
        self.wfile.write(body[:len(body) // 2])
        self.server.release.wait(10)

    def send_reset(self, body):
        """Send half the body, then reset the connection (close with linger 0: a TCP RST)."""
        self.headers_for(len(body))
        self.wfile.write(body[:len(body) // 2])
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()


@pytest.fixture(autouse=True)
def local_only(monkeypatch):
    """No test reaches beyond 127.0.0.1: other hosts fail as a failed look-up would.

    Returns the list of hosts refused. Also: no proxy (it would be a host beyond), and no
    ANN_DATA_URL from the environment.
    """
    refused = []
    real_create_connection = socket.create_connection

    def create_connection(address, *args, **kwargs):
        if address[0] not in LOCAL_HOSTS:
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


@pytest.fixture
def server(monkeypatch):
    """A ThreadingHTTPServer on 127.0.0.1 (port 0), with ANN_DATA_URL pointing at it."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.routes, httpd.requests, httpd.release = {}, [], threading.Event()
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    monkeypatch.setenv(td.URL_VARIABLE, httpd.url + "/")     # a trailing slash, to be stripped
    yield httpd
    httpd.release.set()         # let waiting handlers end
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


def csv_text(rows, seed):
    """A few kB in the project's format (label, gray levels), small rows to keep it light."""
    lines = []
    for k in range(rows):
        lines.append(",".join([str(k % 3)] + [str((seed * 31 + k * 7 + i * 13) % 256)
                                              for i in range(16)]))
    return ("\n".join(lines) + "\n").encode()


def sha256(data):
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def small_files(monkeypatch):
    """Two small files to stand for train.csv and test.csv, FILES patched to match them, and
    small reads (CHUNK) so that each download takes several of them."""
    files = {"train.csv": csv_text(120, seed=1), "test.csv": csv_text(40, seed=2)}
    monkeypatch.setattr(td, "FILES", {name: (sha256(body), len(body))
                                      for name, body in files.items()})
    monkeypatch.setattr(td, "CHUNK", 256)
    return files


@pytest.fixture
def data(small_files, server):
    """The small files, served by the local server."""
    for name, body in small_files.items():
        server.routes[name] = ("file", body)
    return small_files


class TerminalOut(io.StringIO):
    """Output that claims to be a terminal."""

    def isatty(self):
        return True


def read(path):
    with open(path, "rb") as f:
        return f.read()


def progress_lines(text, name):
    return [line for line in text.splitlines() if line.startswith(f"{name}: ")]


def refused_port():
    """A port on 127.0.0.1 that nothing listens on: bound, then closed."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def check_clean_failure(error, folder, url, left):
    """The promises of every fault: one line naming the address and the ways out; in the folder,
    exactly the good files `left` (a dict name -> content) and nothing partial."""
    message = str(error)
    assert "\n" not in message and "\r" not in message, message
    assert message.startswith(f"could not download {url}: "), message
    assert "--train" in message and "--test" in message, message
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
    assert td.CITATION in text
    for source in ("pmocz/artificialneuralnetwork-python", td.COMMIT, "GPL-3.0",
                   "Willett et al. 2013, MNRAS 435, 2835", "SDSS", "Philip Mocz", "2023"):
        assert source in td.CITATION
    assert "\r" not in text
    for name in ("train.csv", "test.csv"):
        lines = progress_lines(text, name)
        assert 1 <= len(lines) <= 4, lines        # several reads each, yet a few lines only
        assert lines[-1].startswith(f"{name}: ") and "(100 %)" in lines[-1], lines
        assert lines[-1].endswith("/s")
    size = len(data["train.csv"])
    assert f"train.csv: {size / 1e3:.1f} of {size / 1e3:.1f} kB (100 %), " in text
    assert len(text.splitlines()) < 20


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
    assert out.getvalue().count("\n") == len(lines) - 1        # and ended with a newline
    assert td.CITATION in out.getvalue()


def test_a_second_call_uses_the_stored_files_without_the_network(data, server, tmp_path,
                                                                   monkeypatch, local_only):
    first = td.tutorial_data(str(tmp_path), out=io.StringIO())
    server.shutdown()
    server.server_close()
    monkeypatch.setenv(td.URL_VARIABLE, f"http://127.0.0.1:{refused_port()}")
    out = io.StringIO()
    assert td.tutorial_data(str(tmp_path), out=out) == first
    assert len(out.getvalue().splitlines()) <= 1, out.getvalue()
    assert td.CITATION not in out.getvalue()
    assert server.requests == ["/train.csv", "/test.csv"] and local_only == []


@pytest.mark.parametrize("damage", ["one byte changed", "cut short"])
def test_a_damaged_stored_file_is_reported_and_fetched_anew(data, server, tmp_path, damage):
    train, test = td.tutorial_data(str(tmp_path), out=io.StringIO())
    good = read(train)
    with open(train, "wb") as f:
        f.write(good[:10] + b"9" + good[11:] if damage == "one byte changed" else good[:100])
    server.requests.clear()

    out = io.StringIO()
    assert td.tutorial_data(str(tmp_path), out=out) == (train, test)
    assert read(train) == good
    assert server.requests == ["/train.csv"]              # test.csv was fine
    damaged = [line for line in out.getvalue().splitlines() if " is damaged" in line]
    assert len(damaged) == 1 and "train.csv" in damaged[0] and "anew" in damaged[0], damaged
    assert sorted(os.listdir(tmp_path)) == ["test.csv", "train.csv"]


# ---- faults -------------------------------------------------------------------------------------
# Each: the server misbehaves on train.csv while a good test.csv is already stored, which must stay.

def corrupted(body):
    return bytes(reversed(body))                          # same size, another checksum

FAULTS = {   # name: (route for train.csv, made from its body; words the message must hold)
    "HTTP 404": (lambda body: ("status", 404), "HTTP 404"),
    "HTTP 500": (lambda body: ("status", 500), "HTTP 500"),
    "cut short, full length announced": (lambda body: ("truncated", (body, 1000)),
                                         "stopped after 1,000 of"),
    "cut short, no length announced": (lambda body: ("unannounced", body[:1000]),
                                       "stopped after 1,000 of"),
    "shorter length announced": (lambda body: ("announcing", (body, 1000)), "announces 1,000"),
    "longer length announced": (lambda body: ("announcing", (body + body, 2 * len(body))),
                                "announces"),
    "longer body, no length announced": (lambda body: ("unannounced", body + b"1,2,3\n"),
                                         "more than the expected"),
    "endless body": (lambda body: ("endless", None), "more than the expected"),
    "checksum mismatch": (lambda body: ("file", corrupted(body)), "checksum does not match"),
    "connection reset mid-body": (lambda body: ("reset", body), "reset"),
    "silent server": (lambda body: ("silent", None), "no answer within 0.5 s"),
    "silent mid-body": (lambda body: ("half_then_wait", body), "no data for 0.5 s after"),
    "trickle": (lambda body: ("trickle", body), "too slow"),
}


@full
@pytest.mark.parametrize("fault", FAULTS)
def test_each_fault_is_one_line_naming_the_address_and_leaves_nothing_partial(
        fault, data, server, tmp_path, monkeypatch):
    monkeypatch.setattr(td, "TIMEOUT", 0.5)           # seconds, not the default 10 and 20
    monkeypatch.setattr(td, "DEADLINE", 1.0)
    with open(tmp_path / "test.csv", "wb") as f:
        f.write(data["test.csv"])
    route, words = FAULTS[fault]
    server.routes["train.csv"] = route(data["train.csv"])

    started = time.monotonic()
    with pytest.raises(td.UserError) as caught:
        td.tutorial_data(str(tmp_path), out=io.StringIO())
    assert time.monotonic() - started < 5
    assert words in str(caught.value)
    check_clean_failure(caught.value, tmp_path, f"{server.url}/train.csv",
                        left={"test.csv": data["test.csv"]})


@full
def test_a_fault_on_the_second_file_keeps_the_first(data, server, tmp_path):
    server.routes["test.csv"] = ("status", 404)
    with pytest.raises(td.UserError) as caught:
        td.tutorial_data(str(tmp_path), out=io.StringIO())
    check_clean_failure(caught.value, tmp_path, f"{server.url}/test.csv",
                        left={"train.csv": data["train.csv"]})


@full
def test_connection_refused(small_files, tmp_path, monkeypatch):
    url = f"http://127.0.0.1:{refused_port()}"
    monkeypatch.setenv(td.URL_VARIABLE, url)
    with pytest.raises(td.UserError) as caught:
        td.tutorial_data(str(tmp_path), out=io.StringIO())
    assert "connection refused" in str(caught.value)
    check_clean_failure(caught.value, tmp_path, f"{url}/train.csv", left={})


@full
def test_no_network_names_the_github_address(small_files, tmp_path, local_only):
    folder = tmp_path / "tutorial_data"
    with pytest.raises(td.UserError) as caught:    # ANN_DATA_URL unset: GitHub, refused
        td.tutorial_data(str(folder), out=io.StringIO())
    assert local_only == ["raw.githubusercontent.com"]
    assert "could not look up the host name" in str(caught.value)
    check_clean_failure(caught.value, folder, f"{td.BASE_URL}/train.csv", left={})


@full
def test_an_address_without_http_is_a_one_line_error(small_files, tmp_path, monkeypatch):
    monkeypatch.setenv(td.URL_VARIABLE, "localhost:8000")
    with pytest.raises(td.UserError) as caught:
        td.tutorial_data(str(tmp_path), out=io.StringIO())
    check_clean_failure(caught.value, tmp_path, "localhost:8000/train.csv", left={})


@full
def test_a_folder_that_cannot_be_made_is_a_one_line_error(small_files, tmp_path):
    (tmp_path / "a_file").write_text("not a folder")
    with pytest.raises(td.UserError) as caught:
        td.tutorial_data(str(tmp_path / "a_file" / "tutorial_data"), out=io.StringIO())
    message = str(caught.value)
    assert "\n" not in message and message.startswith("could not create the folder ")
    assert "--train" in message


def test_the_default_time_limits_add_up_to_at_most_30_seconds():
    assert 0 < td.TIMEOUT <= td.DEADLINE
    assert td.TIMEOUT + td.DEADLINE <= 30


@full
def test_ctrl_c_mid_download_removes_the_temporary_file_and_passes_on(data, server, tmp_path,
                                                                     monkeypatch):
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
def test_the_real_checksums_accept_the_real_files(server, tmp_path, local_only):
    assert set(td.FILES) == {"train.csv", "test.csv"}
    assert td.FILES["train.csv"][1] == 11_021_087 and td.FILES["test.csv"][1] == 2_756_526
    assert td.COMMIT in td.BASE_URL
    for name in td.FILES:
        server.routes[name] = ("file", read(os.path.join(TUTORIAL, name)))

    train, test = td.tutorial_data(str(tmp_path), out=io.StringIO())
    assert read(train) == read(os.path.join(TUTORIAL, "train.csv"))
    assert read(test) == read(os.path.join(TUTORIAL, "test.csv"))

    # The shared folder itself passes as stored files: no request, nothing written there.
    server.requests.clear()
    out = io.StringIO()
    assert td.tutorial_data(TUTORIAL, out=out) == (os.path.join(TUTORIAL, "train.csv"),
                                                   os.path.join(TUTORIAL, "test.csv"))
    assert server.requests == [] and local_only == []
    assert "checksums match" in out.getvalue()
