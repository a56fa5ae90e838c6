"""The matching rules for links, controls and forms."""
import re
import unittest

from zc.testbrowser._finding import find_form
from zc.testbrowser._finding import find_link
from zc.testbrowser._finding import label_pattern
from zc.testbrowser._html import parse_elements
from zc.testbrowser.interfaces import AmbiguityError
from zc.testbrowser.interfaces import LinkNotFoundError
from zc.testbrowser.page import build_page


def page_of(html):
    return build_page(parse_elements(html), 'http://localhost/')


class LinkTests(unittest.TestCase):

    links = page_of('<a href="/a" id="x.y">One  two</a>'
                    '<a href="/b?q=1">three</a><a href="/c">One</a>').links

    def test_criteria_are_combined(self):
        self.assertEqual(find_link(self.links, 'One', url='/c').url,
                         'http://localhost/c')

    def test_search_text_is_normalised_too(self):
        self.assertEqual(find_link(self.links, ' One\ntwo ').url,
                         'http://localhost/a')

    def test_regex_searches_text_and_url(self):
        self.assertEqual(find_link(self.links, re.compile('^t')).text,
                         'three')
        self.assertEqual(find_link(self.links, url=re.compile(r'q=\d')).text,
                         'three')

    def test_url_is_a_substring_of_the_raw_href(self):
        with self.assertRaises(LinkNotFoundError):
            find_link(self.links, url='localhost')

    def test_id_matches_exactly_even_with_dots(self):
        self.assertEqual(find_link(self.links, id='x.y').text, 'One two')
        with self.assertRaises(LinkNotFoundError):
            find_link(self.links, id='x')

    def test_not_found_error_is_an_index_and_value_error(self):
        with self.assertRaises(IndexError):
            find_link(self.links, 'nothing')
        with self.assertRaises(ValueError):
            find_link(self.links, 'One', index=5)

    def test_negative_index_is_out_of_range(self):
        with self.assertRaisesRegex(LinkNotFoundError, 'index -1 out of'):
            find_link(self.links, 'One', index=-1)

    def test_page_without_links_says_so(self):
        with self.assertRaisesRegex(LinkNotFoundError,
                                    'there are no links in the HTML'):
            find_link(page_of('<p>No links</p>').links, 'x')

    def test_long_listings_are_cut(self):
        links = page_of(''.join(f'<a href=/{i}>L{i}</a>'
                                for i in range(150))).links
        with self.assertRaisesRegex(LinkNotFoundError, r'\.\.\. and 50 more'):
            find_link(links, 'nothing')


class LabelPatternTests(unittest.TestCase):

    def test_whole_words_match_case_sensitively(self):
        pattern = label_pattern('Submit')
        self.assertTrue(pattern.search('Submit This'))
        self.assertFalse(pattern.search('Submitted'))
        self.assertFalse(pattern.search('submit'))

    def test_non_word_characters_at_the_edges(self):
        self.assertTrue(label_pattern('[x]').search('*[x]'))


class FormTests(unittest.TestCase):

    forms = page_of('<form id=a name=n action=/one></form>'
                    '<form id=b name=n action=/two></form>').forms

    def test_by_id_name_action_and_index(self):
        self.assertIs(find_form(self.forms, 'b'), self.forms[1])
        self.assertIs(find_form(self.forms, name='n', index=1),
                      self.forms[1])
        self.assertIs(find_form(self.forms, action='one$'), self.forms[0])
        self.assertIs(find_form(self.forms, index=0), self.forms[0])

    def test_several_criteria_are_refused(self):
        with self.assertRaisesRegex(ValueError, 'no more than one'):
            find_form(self.forms, id='a', name='n')

    def test_ambiguous_name_lists_the_forms(self):
        with self.assertRaisesRegex(AmbiguityError, "name 'n' matches:\n"
                                    "  <Form id='a' name='n'"):
            find_form(self.forms, name='n')

    def test_nothing_found_is_a_lookup_error_listing_the_forms(self):
        with self.assertRaisesRegex(LookupError, "id 'c'\navailable items:"):
            find_form(self.forms, 'c')
        with self.assertRaisesRegex(LookupError, 'there are no forms'):
            find_form([], 'c')
