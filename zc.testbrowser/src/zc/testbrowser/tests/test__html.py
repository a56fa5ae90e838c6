"""Parsing HTML into page-model Elements the way browsers do."""
import unittest

from zc.testbrowser._html import ParsedPage
from zc.testbrowser._html import declared_charset
from zc.testbrowser._html import parse_elements
from zc.testbrowser.page import build_page


def page_of(html):
    return build_page(parse_elements(html), 'http://localhost/')


class ParseTests(unittest.TestCase):

    def test_elements_come_in_document_order(self):
        tags = [e.tag for e in parse_elements(
            '<title>t</title><a href=x>a</a><form><label>l<input></label>'
            '<select><option>o</select><textarea></textarea><button>b'
            '</button></form><area href=y>')]
        self.assertEqual(tags, ['title', 'a', 'form', 'label', 'input',
                                'select', 'option', 'textarea', 'button',
                                'area'])

    def test_anchors_without_href_are_left_out(self):
        self.assertEqual(parse_elements('<a name=x>x</a>'), [])

    def test_valueless_attributes_read_as_empty_strings(self):
        [form, element] = parse_elements('<form><input disabled></form>')
        self.assertEqual(element.attrs, {'disabled': ''})

    def test_textarea_loses_one_leading_newline_and_decodes_entities(self):
        page = page_of('<form><textarea name=t>\n\n a &amp; b\n</textarea>'
                       '</form>')
        self.assertEqual(page.forms[0].entries[0].value, '\n a & b\n')

    def test_link_text_includes_nested_elements(self):
        page = page_of('<a href=x><span>One <b>two</b></span>\n three</a>')
        self.assertEqual(page.links[0].text, 'One two three')

    def test_control_with_form_attribute_belongs_to_that_form(self):
        page = page_of('<input name=before form=f><form id=f></form>'
                       '<form id=g><input name=inside form=f></form>'
                       '<input name=after form=f>')
        names = [entry.name for entry in page.forms[0].entries]
        self.assertEqual(names, ['before', 'inside', 'after'])
        self.assertEqual(page.forms[1].entries, [])

    def test_form_attribute_naming_no_form_leaves_the_control_formless(self):
        page = page_of('<form><input name=x form=nothing></form>')
        self.assertEqual(page.forms[0].entries, [])

    def test_nested_form_tags_are_ignored_as_browsers_do(self):
        page = page_of('<form id=outer><form id=inner><input name=x>'
                       '</form></form>')
        self.assertEqual([f.element.attrs.get('id') for f in page.forms],
                         ['outer'])
        self.assertEqual(page.forms[0].entries[0].name, 'x')

    def test_unclosed_elements_are_closed_as_browsers_do(self):
        page = page_of('<form><select name=s><option>A<option selected>B'
                       '</select><p><label>L <input name=i></form>')
        select, text = page.forms[0].entries
        self.assertEqual([item.value for item in select.items], ['A', 'B'])
        self.assertEqual(select.items[1].selected, True)
        self.assertEqual(text.labels, ['L'])

    def test_meta_charset_is_found(self):
        self.assertEqual(declared_charset(b'<meta charset="ISO-8859-1">'),
                         'iso-8859-1')
        self.assertEqual(declared_charset(
            b'<meta http-equiv="Content-Type" content="text/html;'
            b' charset=windows-1252">'), 'windows-1252')
        self.assertIsNone(declared_charset(b'<p>no meta</p>'))

    def test_a_page_without_anything_gives_no_elements(self):
        self.assertEqual(parse_elements(''), [])


class DisabledTests(unittest.TestCase):

    def test_disabled_fieldset_disables_its_controls_but_not_first_legend(
            self):
        page = page_of(
            '<form><fieldset disabled><legend><input name=free></legend>'
            '<input name=off><legend><input name=second></legend>'
            '<input type=checkbox name=c></fieldset></form>')
        entries = page.forms[0].entries
        self.assertEqual([(e.name, e.disabled) for e in entries], [
            ('free', False), ('off', True), ('second', True), ('c', True)])

    def test_disabled_optgroup_disables_its_options(self):
        page = page_of('<form><select name=s><optgroup disabled label=g>'
                       '<option>A</optgroup><option>B</select></form>')
        items = page.forms[0].entries[0].items
        self.assertEqual([(i.value, i.disabled, i.selected) for i in items],
                         [('A', True, False), ('B', False, True)])


class TableFormTests(unittest.TestCase):

    def test_form_opened_inside_a_table_owns_the_rows_controls(self):
        page = page_of(
            '<table><form action=/x><tr><td><input name=a></td></tr>'
            '<tr><td><select name=s><option>o</select></td></tr>'
            '</form></table><input name=outside>'
            '<form action=/y><input name=b></form>')
        first, second = page.forms
        self.assertEqual([e.name for e in first.entries], ['a', 's'])
        self.assertEqual([i.value for i in first.entries[1].items], ['o'])
        self.assertEqual([e.name for e in second.entries], ['b'])

    def test_controls_of_another_table_stay_formless(self):
        page = page_of(
            '<table><form action=/x></form><tr><td>x</td></tr></table>'
            '<table><tr><td><input name=other></td></tr></table>')
        self.assertEqual(page.forms[0].entries, [])


class ParsedPageTests(unittest.TestCase):

    def page(self, html):
        return ParsedPage(html, 'http://localhost/dir/page#top')

    def test_links_title_and_base_are_read_without_building_elements(self):
        page = self.page('<title> A \n title </title><base href="/other/">'
                         '<a href="x" id="i">An <b>x</b></a><a>no href</a>'
                         '<map><area href="y"></map><form><input></form>')
        self.assertEqual(page.title, 'A title')
        self.assertEqual(page.base_url, 'http://localhost/other/')
        self.assertEqual([(link.text, link.url, link.element.tag)
                          for link in page.links],
                         [('An x', 'http://localhost/other/x', 'a'),
                          ('', 'http://localhost/other/y', 'area')])
        self.assertEqual(page.links.with_id('i')[0].text, 'An x')
        self.assertIsNone(page._elements)

    def test_page_without_title_or_base_uses_its_url(self):
        page = self.page('<p>plain</p>')
        self.assertIsNone(page.title)
        self.assertEqual(page.base_url, 'http://localhost/dir/page')
        self.assertEqual(len(page.links), 0)

    def test_forms_build_the_elements_on_first_use(self):
        page = self.page('<form><input name="q"></form>')
        self.assertEqual([entry.name for entry in page.forms[0].entries],
                         ['q'])
        self.assertIsNotNone(page._elements)
