"""The base class of a basic source factory: subclass it, write getValues."""
from zc.sourcefactory import factories
from zc.sourcefactory import policies


class BasicSourceFactory(factories.BasicSourceFactory,
                         policies.BasicSourcePolicy):
    """A source factory with the basic policies."""
