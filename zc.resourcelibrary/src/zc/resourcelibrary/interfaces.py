"""The contracts of zc.resourcelibrary.

A *resource library* is a named set of JavaScript/CSS files served from one
directory, some of which pages reference, and the names of the libraries
it depends on.  Code rendering a page calls ``need(name)``; once the page
is complete, one tag per referenced file of every needed library (and of
its dependencies, first) is inserted into the page's ``<head>``.
"""
from zope.interface import Attribute
from zope.interface import Interface


class ILibraryInfo(Interface):
    """One entry of the registry ``resourcelibrary.library_info``."""

    included = Attribute(
        'List of the file names pages reference, in declaration order; '
        'each ends in .js, .css or .kss.')

    required = Attribute(
        'List of the names of the libraries this one depends on, in '
        'declaration order.  Their tags come first.')

    directory = Attribute(
        'Absolute path of the directory holding the files, or None for a '
        'library that only groups dependencies.  The WSGI middleware '
        'serves files from here.')

    loading = Attribute(
        'Dict from an included script to a tuple of its loading '
        'attributes: "defer", "async", "module" (type="module").')


class IResourceLibraryRequest(Interface):
    """A request that collects the libraries its page needs."""

    resource_libraries = Attribute(
        'List of the needed library names, in the order of first need, '
        'without duplicates.  Shared with the request\'s response.')


class IResourceLibraryMiddleware(Interface):
    """A WSGI application wrapping another one.

    Per request it collects what the wrapped application ``need()``-s,
    serves the libraries' files under its prefix and inserts the tags into
    HTML responses.
    """

    def __call__(environ, start_response):
        """Handle one WSGI request."""
