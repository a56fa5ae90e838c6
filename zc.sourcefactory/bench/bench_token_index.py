"""Token lookups in a 100,000-value source: the token index vs the scan.

Prints one line: for a source of 100k strings, microseconds per
``getValue(token)`` through the ITerms view and per ``in``, for the same
factory without the index (the linear scan of every token) and with
``token_index = True``, the ratio, and the one-off cost of building the
index.  Both sources run side by side in the same process.
"""
import random
import time

import zope.configuration.xmlconfig
import zope.component
import zope.browser.interfaces
import zope.publisher.browser

import zc.sourcefactory
from zc.sourcefactory.basic import BasicSourceFactory

SIZE = 100_000
VALUES = [f'value {number}' for number in range(SIZE)]


class Scanned(BasicSourceFactory):

    def getValues(self):
        return VALUES


class Indexed(Scanned):
    token_index = True


def per_call(function, arguments):
    """Microseconds per call of `function` over `arguments`."""
    start = time.perf_counter()
    for argument in arguments:
        function(argument)
    return (time.perf_counter() - start) / len(arguments) * 1e6


def main():
    zope.configuration.xmlconfig.file('ftesting.zcml', zc.sourcefactory)
    request = zope.publisher.browser.TestRequest()
    rng = random.Random(15)
    probes = rng.sample(VALUES, 20)
    many = [rng.choice(VALUES) for i in range(100_000)]

    scanned = Scanned()
    indexed = Indexed()
    scanned_terms = zope.component.getMultiAdapter(
        (scanned, request), zope.browser.interfaces.ITerms)
    indexed_terms = zope.component.getMultiAdapter(
        (indexed, request), zope.browser.interfaces.ITerms)
    tokens = [scanned_terms.getTerm(value).token for value in probes]
    many_tokens = [indexed_terms.getTerm(value).token for value in many]

    start = time.perf_counter()
    indexed.refresh()
    assert len(indexed) == SIZE  # builds the index
    build_ms = (time.perf_counter() - start) * 1e3

    scan_get = per_call(scanned_terms.getValue, tokens)
    index_get = per_call(indexed_terms.getValue, many_tokens)
    scan_in = per_call(scanned.__contains__, probes)
    index_in = per_call(indexed.__contains__, many)
    print(f'{SIZE} values: getValue(token) scan {scan_get:.0f} us, '
          f'index {index_get:.2f} us, {scan_get / index_get:.0f}x; '
          f'in: scan {scan_in:.0f} us, index {index_in:.2f} us, '
          f'{scan_in / index_in:.0f}x; index built once in {build_ms:.0f} ms')


if __name__ == '__main__':
    main()
