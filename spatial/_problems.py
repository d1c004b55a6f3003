"""A problem found in a layer, reported as ``file: feature-id: what is wrong``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one feature (or a whole file when ``feature_id`` is empty)."""

    file: str
    feature_id: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.feature_id or '-'}: {self.message}"


def format_problems(problems: list[Problem]) -> str:
    """One line per problem, in file then feature order."""
    return "\n".join(str(p) for p in sorted(problems))
