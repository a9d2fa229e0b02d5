"""A plain progress counter on stderr: rewritten in place on a terminal, a line now and then
in a log, never on stdout."""

from __future__ import annotations

import sys
import time

from careervp.dal.errors import escaped

__all__ = ["Progress"]


class Progress:
    def __init__(self, label: str, *, every: float = 1.0) -> None:
        self._label = escaped(label)
        self._every = every
        self._last = 0.0
        self._live = sys.stderr.isatty()
        self._shown = False
        self._unprinted: str | None = None  # the latest count, when the rate limit held it back
        self.done = 0  # the latest count reported, shown or not

    def __call__(self, done: int, total: int | None = None) -> None:
        self.done = done
        of = f" of {total}" if total is not None else ""
        text = f"{self._label}: {done}{of}"
        now = time.monotonic()
        if not self._live and now - self._last < self._every:
            self._unprinted = text
            return
        self._last = now
        self._unprinted = None
        sys.stderr.write(f"\r{text}\x1b[K" if self._live else f"{text}\n")
        sys.stderr.flush()
        self._shown = True

    def close(self) -> None:
        if self._live and self._shown:
            sys.stderr.write("\n")
        elif self._unprinted is not None:
            # In a log the last line must be the final count, not whatever the rate limit let
            # through last ("100 of 301" for an export that finished).
            sys.stderr.write(f"{self._unprinted}\n")
            self._unprinted = None
        sys.stderr.flush()
