"""Parsing cost per KB: the parser we use against the ones we did not pick.

Parses the benchmark page (50 labelled fields, 200 links) and visits every
element with the stdlib ``html.parser`` (the baseline, always measured),
with ``lxml.html`` when it is installed, and with selectolax (Lexbor), the
parser zc.testbrowser uses; then our whole page model (parse, elements,
links and forms).  Prints one line: microseconds per KB and the ratio to
html.parser.
"""
import html.parser
import pathlib
import sys
import time

from selectolax.lexbor import LexborHTMLParser

from zc.testbrowser import _html
from zc.testbrowser.page import build_page

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from bench_wsgi import PAGE  # noqa: E402 (the same page as bench_wsgi)

TEXT = PAGE.decode('utf-8')
KB = len(PAGE) / 1024


class _Visitor(html.parser.HTMLParser):

    def handle_starttag(self, tag, attrs):
        self.count += 1


def stdlib():
    visitor = _Visitor()
    visitor.count = 0
    visitor.feed(TEXT)
    visitor.close()


def lexbor():
    for node in LexborHTMLParser(TEXT).root.traverse():
        node.tag
        node.attributes


def lxml_parser():
    import lxml.html
    for element in lxml.html.document_fromstring(TEXT).iter():
        element.tag
        element.attrib


def page_model():
    page = build_page(_html.parse_elements(TEXT), 'http://localhost/')
    page.links
    page.forms


def us_per_kb(func):
    func()
    best = float('inf')
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(30):
            func()
        best = min(best, (time.perf_counter() - start) / 30)
    return best * 1e6 / KB


def main():
    candidates = [('html.parser', stdlib)]
    try:
        import lxml.html  # noqa: F401 (only measured when installed)
    except ImportError:
        pass
    else:
        candidates.append(('lxml.html', lxml_parser))
    candidates += [('selectolax', lexbor), ('zc page model', page_model)]
    baseline = None
    figures = []
    for name, func in candidates:
        cost = us_per_kb(func)
        baseline = baseline or cost
        figures.append(f'{name} {cost:.1f} us/KB ({baseline / cost:.1f}x)')
    print(f'zc.testbrowser parsing, {KB:.1f} KB page: ' + '; '.join(figures))


if __name__ == '__main__':
    main()
