"""An easy way to create custom Zope sources.

Subclass ``BasicSourceFactory`` (or ``BasicContextualSourceFactory``), write
``getValues`` and call the class to get the source.  The public modules
(``basic``, ``contextual``, ``named``, ``mapping``, ``policies``,
``factories``, ``source``, ``browser.*``) stay importable by these paths.
"""
from zc.sourcefactory.basic import BasicSourceFactory
from zc.sourcefactory.contextual import BasicContextualSourceFactory
from zc.sourcefactory.mapping import ValueMappingSource
from zc.sourcefactory.mapping import ValueMappingSourceContextBinder
from zc.sourcefactory.named import NamedSource

__all__ = [
    'BasicContextualSourceFactory',
    'BasicSourceFactory',
    'NamedSource',
    'ValueMappingSource',
    'ValueMappingSourceContextBinder',
]
