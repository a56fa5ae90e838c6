"""Autocompletion over 100,000 values: lazy search vs listing every term.

Prints one line: milliseconds for a select widget's way (the terms of all
100k values, then matching their titles) and for ``search(query)`` taking
its first 10 matches, side by side in the same process, and the ratio.
"""
import itertools
import time

import zope.browser.interfaces
import zope.component
import zope.configuration.xmlconfig
import zope.publisher.browser

import zc.sourcefactory
from zc.sourcefactory.basic import BasicSourceFactory

SIZE = 100_000
SHOWN = 10
QUERIES = ('customer 99', 'customer 1234', 'customer 5')


class Customers(BasicSourceFactory):
    searchable = True

    def getValues(self):
        return (f'customer {number}' for number in range(SIZE))


def listing_all_terms(terms, source, query):
    """What a widget without search does: every term, then filter."""
    words = query.casefold().split()
    return [term.value for term in map(terms.getTerm, source)
            if all(word in str(term.title).casefold() for word in words)
            ][:SHOWN]


def searching(terms, source, query):
    return [terms.getTerm(value).value
            for value in itertools.islice(source.search(query), SHOWN)]


def best_ms(function, *arguments, repeat=3):
    best = None
    for i in range(repeat):
        start = time.perf_counter()
        result = function(*arguments)
        elapsed = (time.perf_counter() - start) * 1e3
        best = elapsed if best is None else min(best, elapsed)
    return best, result


def main():
    zope.configuration.xmlconfig.file('ftesting.zcml', zc.sourcefactory)
    source = Customers()
    terms = zope.component.getMultiAdapter(
        (source, zope.publisher.browser.TestRequest()),
        zope.browser.interfaces.ITerms)
    figures = []
    for query in QUERIES:
        listed_ms, listed = best_ms(listing_all_terms, terms, source, query)
        search_ms, found = best_ms(searching, terms, source, query)
        assert listed == found, (listed, found)
        figures.append(f'{query!r}: all terms {listed_ms:.0f} ms, search '
                       f'{search_ms:.2f} ms, {listed_ms / search_ms:.0f}x')
    print(f'{SIZE} values, first {SHOWN} matches: ' + '; '.join(figures))


if __name__ == '__main__':
    main()
