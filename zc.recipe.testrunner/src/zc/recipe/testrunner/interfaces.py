"""The contract of zc.recipe.testrunner, as a typing protocol.

Buildout finds recipes by entry point and calls them by convention, not
through zope.interface, so the contract is a ``typing.Protocol``: a type
checker verifies it and it adds no dependency.
"""
from __future__ import annotations

from typing import Any, MutableMapping, Protocol


class ITestRunnerRecipe(Protocol):
    """``recipe = zc.recipe.testrunner``: write a zope.testrunner script.

    Options: ``eggs`` (whose tests run; their dependencies are only
    importable), ``script`` (default: the part name), ``working-directory``
    (default: a directory in ``parts/`` of the part's name, created),
    ``defaults``, ``environment`` (a section of variables to set),
    ``initialization``, ``extra-paths``, ``relative-paths``.
    """

    def __init__(self, buildout: Any, name: str,
                 options: MutableMapping[str, str]) -> None:
        """Read ``options`` and fill in ``script`` and ``location``."""

    def install(self) -> list[str]:
        """Write the script; return it and a created working directory."""

    def update(self) -> list[str]:
        """The same as ``install``: the script is always rewritten."""
