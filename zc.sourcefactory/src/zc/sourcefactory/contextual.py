"""The base class of a contextual source factory.

Subclass it and write ``getValues(context)``.
"""
from zc.sourcefactory import factories
from zc.sourcefactory import policies


class BasicContextualSourceFactory(factories.ContextualSourceFactory,
                                   policies.BasicContextualSourcePolicy):
    """A contextual source factory with the basic policies."""
