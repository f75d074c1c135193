"""Live progress of a run whose workers share this process (the default local runner).

Beam metrics are only readable once a run ends; this counter lets the command line draw a
progress bar meanwhile. With worker processes or a remote runner it stays at zero and the
bar only shows elapsed time.
"""

from __future__ import annotations

import threading

_lock = threading.Lock()
_articles_done = 0


def article_done() -> None:
    """One article has reached its outcome: events encoded, no events, or a dead letter."""
    global _articles_done
    with _lock:
        _articles_done += 1


def articles_done() -> int:
    with _lock:
        return _articles_done
