"""The live page model's pure parts: records to Elements, descriptions.

Finding a replaced element again is tested on real Chromium in
``test_real``."""
import unittest

from zc.testbrowser import _livepage


class ElementsFromTests(unittest.TestCase):

    def test_records_become_elements_with_their_handles(self):
        [link, field] = _livepage.elements_from([
            ['a', {'href': '/x'}, 'X', None, None, None, 7, False],
            ['input', {'name': 'q'}, '', 3, 2, None, 8, True],
        ])
        self.assertEqual((link.tag, link.attrs, link.text, link.handle),
                         ('a', {'href': '/x'}, 'X', 7))
        self.assertEqual((field.form, field.label, field.handle,
                          field.inherited_disabled), (3, 2, 8, True))


class DescribeTests(unittest.TestCase):

    def test_describe_names_the_attributes_a_reader_knows(self):
        [element] = _livepage.elements_from([
            ['input', {'name': 'q', 'type': 'text', 'class': 'big'}, '',
             None, None, None, 1, False]])
        self.assertEqual(_livepage.describe(element),
                         "<input name='q' type='text'>")
