"""Search indexes: pluggable answers for frequent searches.

``TransposingTransitiveMembership`` stores transitive members;
``Intransitive`` stores the answers of exact queries.
"""
from zc.relation._intransitive import Intransitive
from zc.relation._membership import TransposingTransitiveMembership

__all__ = ['Intransitive', 'TransposingTransitiveMembership']
