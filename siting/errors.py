"""Exceptions raised by siting; each carries plain-language lines for the user."""

from __future__ import annotations

__all__ = ["SitingError", "InstanceError", "InfeasibleError", "SolveError"]


class SitingError(Exception):
    """Base class of every error siting raises on purpose."""

    def __init__(self, problems: str | list[str]):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


class InstanceError(SitingError, ValueError):
    """The instance folder breaks its contract; one line per problem in ``problems``."""


class InfeasibleError(SitingError):
    """No plan meets the targets and limits; the message names the likely cause."""


class SolveError(SitingError):
    """The solver stopped without a usable plan (error, or time limit with no incumbent)."""
