"""The contracts of zc.recipe.egg, as typing protocols.

Buildout finds recipes by entry point and calls them by convention, not
through zope.interface, so the contracts are ``typing.Protocol`` classes: a
type checker verifies them and they add no dependency.
"""
from __future__ import annotations

from typing import Any, Iterable, MutableMapping, Protocol


class IRecipe(Protocol):
    """What buildout expects of every recipe in this distribution.

    Buildout constructs the recipe with the buildout, the part's name and
    the part's options (all options of all parts are constructed before
    any is installed), then calls ``install`` for a new or changed part
    and ``update`` for an unchanged one.
    """

    def __init__(self, buildout: Any, name: str,
                 options: MutableMapping[str, str]) -> None:
        """Read and complete ``options``; settings that should reinstall
        the part when they change are written back into them."""

    def install(self) -> Iterable[str]:
        """Do the work; return the paths buildout removes on uninstall."""

    def update(self) -> Iterable[str] | None:
        """Bring an unchanged part up to date."""


class IWorkingSet(Protocol):
    """``zc.recipe.egg.Egg``, reused by other recipes to resolve eggs.

    ``zc.recipe.testrunner`` builds its script from it.
    """

    #: Directories added to ``sys.path`` of generated scripts.
    extra_paths: list[str]

    def working_set(self, extra: Iterable[str] = ()) -> tuple[list[str], Any]:
        """Install the part's ``eggs`` plus ``extra`` requirements; return
        the requirement strings and the resolved ``pkg_resources``
        working set."""
