"""The error type of ``gzmap``: a problem the user can fix, printed as one line.

Modules that do the work (``base``, ``export``, ...) raise it without importing the command
line; :mod:`spatial.cli` catches it, prints ``gzmap <command>: <message>`` and exits with 2.
"""

from __future__ import annotations

__all__ = ["GzmapError"]


class GzmapError(Exception):
    """An error the user can fix; printed as one line, exit status 2."""
