"""The board's style sheet and dependency-graph script, as resource
libraries of zc.resourcelibrary.

Pages say what they need (``need('taskboard-graph')``); the middleware
puts the tags into the page with Subresource Integrity hashes and the
request's Content-Security-Policy nonce, serves the files under ``/@@/``
with versioned URLs, and sends the policy.  The pages themselves carry no
inline script or style, so the policy can forbid both.
"""
import os

import zc.resourcelibrary
from zc.resourcelibrary.wsgi import ResourceLibraryMiddleware

STATIC = os.path.join(os.path.dirname(__file__), 'static')
STYLE = 'taskboard'
GRAPH = 'taskboard-graph'



def register():
    """Declare the libraries (again: that is harmless)."""
    zc.resourcelibrary.register(STYLE, STATIC, include=['board.css'])
    zc.resourcelibrary.register(GRAPH, STATIC, include=['taskgraph.js'],
                                require=[STYLE],
                                loading={'taskgraph.js': 'defer'})


def with_resources(app):
    """``app`` behind the resource library middleware.

    The libraries are declared here, when an application is set up, rather
    than on import: the registry is global, and whoever resets it (tests
    of other packages do) would take them away.
    """
    register()
    return ResourceLibraryMiddleware(
        app, html5=True, integrity=True, versioned=True, csp_nonce=True)
