"""Ending training early and cleanly. The first Ctrl-C (or a Jupyter kernel's interrupt) asks
training to stop after the current iteration, so that the kept weights are still reported and
every file is written whole; a second one stops at once."""
import signal
import threading
from contextlib import contextmanager

INTERRUPTED = "interrupted (Ctrl-C)"


class StopTraining(Exception):
    """Raised by ann.py's training callback to end fmin_cg early (window closed, Ctrl-C)."""


@contextmanager
def ctrl_c_stops(history):
    """While inside, Ctrl-C sets history.stop_reason instead of raising KeyboardInterrupt."""
    if threading.current_thread() is not threading.main_thread():
        yield                                 # only the main thread may handle signals
        return

    def on_sigint(signum, frame):
        signal.signal(signal.SIGINT, signal.default_int_handler)
        history.stop_reason = INTERRUPTED
    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
