"""Index intransitive and transitive n-ary relationships.

``RELATION`` is the query key that names relations themselves.
"""
from zc.relation._query import RELATION

__all__ = ['RELATION']
