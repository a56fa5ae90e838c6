"""The page model built from Elements, as any backend hands them over."""
import unittest

from zc.testbrowser.page import Element
from zc.testbrowser.page import Group
from zc.testbrowser.page import build_page
from zc.testbrowser.page import normalize


def elements(*specs):
    return [Element(*spec) if isinstance(spec, tuple) else spec
            for spec in specs]


class PageTests(unittest.TestCase):

    def test_normalize_collapses_every_kind_of_whitespace(self):
        self.assertEqual(normalize(' a\t\n b\u00a0 '), 'a b')

    def test_page_built_from_elements_without_parser(self):
        # What a real browser's script would return for its live DOM.
        page = build_page(elements(
            ('title', {}, ' Live\n page '),
            ('a', {'href': 'next'}, 'Next'),
            Element('form', {'action': '/go'}),
            Element('input', {'name': 'q'}, form=2, handle='element-1'),
        ), 'http://localhost/dir/page')
        self.assertEqual(page.title, 'Live page')
        self.assertEqual(page.links[0].url, 'http://localhost/dir/next')
        [form] = page.forms
        self.assertEqual(form.action, 'http://localhost/go')
        self.assertEqual(form.entries[0].element.handle, 'element-1')

    def test_base_element_changes_the_base_url_of_links_and_forms(self):
        page = build_page(elements(
            ('base', {'href': 'http://localhost/other/'}),
            ('a', {'href': 'x'}, 'X'),
            ('form', {'action': 'y'}),
        ), 'http://localhost/page')
        self.assertEqual(page.base_url, 'http://localhost/other/')
        self.assertEqual(page.links[0].url, 'http://localhost/other/x')
        self.assertEqual(page.forms[0].action, 'http://localhost/other/y')

    def test_form_without_action_submits_to_the_page_without_fragment(self):
        page = build_page(elements(('form', {}),), 'http://localhost/p#frag')
        self.assertEqual(page.forms[0].action, 'http://localhost/p')

    def test_method_and_enctype_defaults_and_case(self):
        page = build_page(elements(
            ('form', {'method': 'post', 'enctype': 'MULTIPART/form-data'}),
            ('form', {'method': 'bogus', 'enctype': 'bogus'}),
        ), 'http://localhost/')
        self.assertEqual(page.forms[0].method, 'POST')
        self.assertEqual(page.forms[0].enctype, 'multipart/form-data')
        self.assertEqual(page.forms[1].method, 'GET')
        self.assertEqual(page.forms[1].enctype,
                         'application/x-www-form-urlencoded')

    def test_controls_outside_any_form_are_not_part_of_the_model(self):
        page = build_page(elements(
            ('form', {}), ('input', {'name': 'loose'}),
        ), 'http://localhost/')
        self.assertEqual(page.forms[0].entries, [])

    def test_checkboxes_of_one_name_form_one_group_where_the_first_is(self):
        page = build_page(elements(
            ('form', {}),
            Element('input', {'type': 'checkbox', 'name': 'c', 'value': '1'},
                    form=0),
            Element('input', {'name': 't'}, form=0),
            Element('input', {'type': 'checkbox', 'name': 'c', 'value': '2'},
                    form=0),
        ), 'http://localhost/')
        group, text = page.forms[0].entries
        self.assertIsInstance(group, Group)
        self.assertEqual([item.value for item in group.items], ['1', '2'])
        self.assertEqual(text.name, 't')
        self.assertEqual(len(page.forms[0].members), 3)

    def test_only_the_last_checked_radio_of_a_group_stays_checked(self):
        page = build_page(elements(
            ('form', {}),
            Element('input', {'type': 'radio', 'name': 'r', 'value': 'a',
                              'checked': ''}, form=0),
            Element('input', {'type': 'radio', 'name': 'r', 'value': 'b',
                              'checked': ''}, form=0),
        ), 'http://localhost/')
        [group] = page.forms[0].entries
        self.assertEqual([item.selected for item in group.items],
                         [False, True])

    def test_single_select_without_selection_selects_first_enabled_option(
            self):
        page = build_page(elements(
            ('form', {}),
            Element('select', {'name': 's'}, form=0),
            Element('option', {'disabled': ''}, 'A', form=0, select=1),
            Element('option', {}, 'B', form=0, select=1),
        ), 'http://localhost/')
        [select] = page.forms[0].entries
        self.assertEqual([item.selected for item in select.items],
                         [False, True])

    def test_option_without_value_submits_its_normalised_text(self):
        page = build_page(elements(
            ('form', {}),
            Element('select', {'name': 's', 'multiple': ''}, form=0),
            Element('option', {'label': 'Short'}, ' Long \n text ', form=0,
                    select=1),
        ), 'http://localhost/')
        [item] = page.forms[0].entries[0].items
        self.assertEqual(item.value, 'Long text')
        self.assertEqual(item.labels, ['Short', 'Long text'])
        self.assertFalse(item.selected)

    def test_labels_come_from_enclosing_label_then_for_labels_in_order(self):
        page = build_page(elements(
            ('form', {}),
            ('label', {'for': 'x'}, 'First'),
            ('label', {}, 'Wrapping'),
            Element('input', {'id': 'x', 'name': 'x'}, form=0, label=2),
            ('label', {'for': 'x'}, ' Second '),
        ), 'http://localhost/')
        self.assertEqual(page.forms[0].entries[0].labels,
                         ['Wrapping', 'First', 'Second'])

    def test_buttons_are_labelled_by_value_and_text(self):
        page = build_page(elements(
            ('form', {}),
            Element('button', {'value': 'v'}, ' Click\nme ', form=0),
            Element('input', {'type': 'submit', 'value': 'Go'}, form=0),
            Element('button', {'type': 'reset'}, 'Reset', form=0),
        ), 'http://localhost/')
        button, submit, reset = page.forms[0].entries
        self.assertEqual((button.kind, button.labels),
                         ('submit', ['v', 'Click me']))
        self.assertEqual(submit.labels, ['Go'])
        self.assertEqual((reset.kind, reset.labels), ('reset', []))

    def test_unknown_input_type_is_a_text_control(self):
        page = build_page(elements(
            ('form', {}), Element('input', {'type': 'Weird'}, form=0),
        ), 'http://localhost/')
        self.assertEqual(page.forms[0].entries[0].kind, 'text')

    def test_line_breaks_are_stripped_from_single_line_values(self):
        page = build_page(elements(
            ('form', {}), Element('input', {'value': 'a\r\nb'}, form=0),
        ), 'http://localhost/')
        self.assertEqual(page.forms[0].entries[0].value, 'ab')

    def test_page_acts_on_its_own_records(self):
        sent = []
        page = build_page(elements(
            ('a', {'href': '/x'}, 'X'),
            ('form', {'action': '/f'}),
            Element('input', {'name': 'q'}, form=1),
        ), 'http://localhost/', navigate=lambda *args: sent.append(args))
        [form] = page.forms
        page.set_value(form.entries[0], 'tea')
        page.submit(form)
        page.click_link(page.links[0])
        self.assertEqual(sent, [('GET', 'http://localhost/f?q=tea', None,
                                 None), ('GET', 'http://localhost/x')])


class SanitizeTests(unittest.TestCase):

    def value_of(self, type, **attrs):
        attrs['type'] = type
        page = build_page(elements(
            ('form', {}), Element('input', attrs, form=0),
        ), 'http://localhost/')
        return page.forms[0].entries[0].value

    def test_values_are_cleaned_up_as_browsers_do(self):
        self.assertEqual(self.value_of('number', value='abc'), '')
        self.assertEqual(self.value_of('number', value='1.5'), '1.5')
        self.assertEqual(self.value_of('range'), '50')
        self.assertEqual(self.value_of('range', min='0', max='5'), '2.5')
        self.assertEqual(self.value_of('range', value='200'), '100')
        self.assertEqual(self.value_of('color'), '#000000')
        self.assertEqual(self.value_of('color', value='#A0B0C0'), '#a0b0c0')
        self.assertEqual(self.value_of('email', value=' a@b.c '), 'a@b.c')
        self.assertEqual(self.value_of('date', value='2020-1-1'), '')
        self.assertEqual(self.value_of('date', value='2020-01-01'),
                         '2020-01-01')
        self.assertEqual(self.value_of('text', value=' keep '), ' keep ')


class LabelRuleTests(unittest.TestCase):

    def labels(self, *specs):
        page = build_page(elements(('form', {}), *specs),
                          'http://localhost/')
        return [entry.labels for entry in page.forms[0].entries]

    def test_enclosing_label_labels_only_its_first_labelable_control(self):
        self.assertEqual(self.labels(
            ('label', {}, 'Both'),
            Element('input', {'type': 'hidden', 'name': 'h'}, form=0,
                    label=1),
            Element('input', {'name': 'a'}, form=0, label=1),
            Element('input', {'name': 'b'}, form=0, label=1),
        ), [[], ['Both'], []])

    def test_label_with_for_does_not_label_what_it_encloses(self):
        self.assertEqual(self.labels(
            ('label', {'for': 'other'}, 'Elsewhere'),
            Element('input', {'name': 'a'}, form=0, label=1),
            Element('input', {'name': 'b', 'id': 'other'}, form=0),
        ), [[], ['Elsewhere']])


class SelectDefaultTests(unittest.TestCase):

    def selected(self, **attrs):
        attrs['name'] = 's'
        page = build_page(elements(
            ('form', {}), Element('select', attrs, form=0),
            Element('option', {}, 'A', form=0, select=1),
        ), 'http://localhost/')
        return page.forms[0].entries[0].items[0].selected

    def test_list_box_selects_nothing_but_a_drop_down_its_first_option(
            self):
        self.assertFalse(self.selected(size='4'))
        self.assertTrue(self.selected(size='1'))
        self.assertTrue(self.selected())


class LinksTests(unittest.TestCase):

    def links(self, *specs):
        return build_page(elements(*specs), 'http://localhost/').links

    def test_text_search_finds_substrings_in_document_order(self):
        links = self.links(('a', {'href': '/1'}, 'Link 1500'),
                           ('a', {'href': '/2'}, 'Link 150'),
                           ('a', {'href': '/3'}, 'Link 15'))
        self.assertEqual([link.url for link in links.containing('Link 150')],
                         ['http://localhost/1', 'http://localhost/2'])

    def test_a_link_containing_the_text_twice_is_found_once(self):
        links = self.links(('a', {'href': '/1'}, 'ab ab ab'),
                           ('a', {'href': '/2'}, 'ab'))
        self.assertEqual(len(list(links.containing('ab'))), 2)

    def test_text_search_never_spans_two_links(self):
        links = self.links(('a', {'href': '/1'}, 'Next'),
                           ('a', {'href': '/2'}, 'Page'))
        self.assertEqual(list(links.containing('Next Page')), [])

    def test_empty_text_matches_every_link_and_area(self):
        links = self.links(('a', {'href': '/1'}, 'one'),
                           ('area', {'href': '/2'}, ''))
        self.assertEqual(len(list(links.containing(''))), 2)

    def test_id_lookup_returns_every_link_with_that_id(self):
        links = self.links(('a', {'href': '/1', 'id': 'x.y'}, 'one'),
                           ('a', {'href': '/2'}, 'two'),
                           ('a', {'href': '/3', 'id': 'x.y'}, 'three'))
        self.assertEqual([link.text for link in links.with_id('x.y')],
                         ['one', 'three'])
        self.assertEqual(links.with_id('x'), [])

    def test_the_same_link_is_the_same_record_each_time(self):
        links = self.links(('a', {'href': '/1'}, 'one'))
        self.assertIs(links[0], next(iter(links.containing('one'))))
