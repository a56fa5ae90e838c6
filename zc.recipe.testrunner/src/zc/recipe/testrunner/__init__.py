"""A buildout recipe writing a zope.testrunner script for a set of eggs.

The recipe lives in ``_recipe``, what it needs to find each egg's code in
``_locations``; buildout loads ``zc.recipe.testrunner:TestRunner``.
"""
from zc.recipe.testrunner._recipe import TestRunner

__all__ = ['TestRunner']
