"""Draw docs/graph.png: the example project page in headless Chromium.

Run it from the top of the checkout, after make::

    bin/py taskboard/docs/screenshot.py

It serves the board of the graph tests on 127.0.0.1 and takes the
picture with zc.testbrowser's real browser, once the graph script drew.
"""
import os
import sys
import unittest

import ZODB
from zc.testbrowser import real

from taskboard.resources import with_resources
from taskboard.tests.test_graph_in_chromium import example_board
from taskboard.tests.test_graph_in_chromium import serve
from taskboard.tests.test_graph_in_chromium import wait_for_drawing
from taskboard.web import Application

PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'graph.png')


def main():
    # A TestCase only for its clean-ups, which stop the server.
    cleanups = unittest.TestCase()
    db = ZODB.DB(None)
    try:
        example_board(db)
        url = serve(cleanups, with_resources(Application(db)))
        with real.Browser(window_size=(900, 600)) as browser:
            browser.open(url + 'p/website/')
            wait_for_drawing(browser, 4)
            browser.execute("document.getElementById('task-graph')"
                            '.scrollIntoView()')
            browser.screenshot(PATH)
    finally:
        cleanups.doCleanups()
        db.close()
    print(f'wrote {PATH}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
