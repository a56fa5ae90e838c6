"""Buildout recipes that install eggs, generate scripts and build eggs.

``recipe = zc.recipe.egg`` (or ``:scripts``/``:script``) installs eggs and
writes their console scripts; ``:eggs`` installs only; ``:custom`` and
``:develop`` build with custom ``build_ext`` settings.
"""
from zc.recipe.egg.custom import Custom
from zc.recipe.egg.custom import Develop
from zc.recipe.egg.egg import Egg
from zc.recipe.egg.egg import Eggs
from zc.recipe.egg.egg import Scripts

__all__ = ['Custom', 'Develop', 'Egg', 'Eggs', 'Scripts']
