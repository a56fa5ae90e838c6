"""Controls, items, links and forms as a user holds them."""
import io
import unittest

import zope.interface.verify

from zc.testbrowser import interfaces
from zc.testbrowser.interfaces import ExpiredError
from zc.testbrowser.interfaces import ItemCountError
from zc.testbrowser.interfaces import ItemNotFoundError
from zc.testbrowser.wsgi import Browser

PAGE = b'''<html><body>
<a href="/x">X</a>
<form action="/echo" method="post">
  <input name="text" value="t">
  <textarea name="area">a</textarea>
  <input type="file" name="file">
  <select name="single"><option>A</option><option>B</option></select>
  <select name="multi" multiple><option>A</option><option>B</option>
    <option>A</option></select>
  <label><input type="checkbox" name="lone"> Lone</label>
  <label><input type="checkbox" name="valued" value="v"> Valued</label>
  <input type="radio" name="r" value="1" checked>
  <input type="radio" name="r" value="2" disabled>
  <input type="submit" name="go" value="Go">
  <input type="image" name="img">
  <input type="button" name="plain" value="Plain">
</form></body></html>'''


def app(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/html')])
    return [PAGE]


class ControlTests(unittest.TestCase):

    def setUp(self):
        self.browser = Browser('http://localhost/', wsgi_app=app)

    def control(self, name):
        return self.browser.getControl(name=name)

    def test_every_object_provides_its_interfaces(self):
        verify = zope.interface.verify.verifyObject
        self.assertTrue(verify(interfaces.ILink, self.browser.getLink('X')))
        self.assertTrue(verify(interfaces.IForm, self.browser.getForm()))
        self.assertTrue(verify(interfaces.IControl, self.control('text')))
        self.assertTrue(verify(interfaces.ITextAreaControl,
                               self.control('area')))
        self.assertTrue(verify(interfaces.IListControl,
                               self.control('single')))
        self.assertTrue(verify(interfaces.ISubmitControl, self.control('go')))
        self.assertTrue(verify(interfaces.IImageSubmitControl,
                               self.control('img')))
        self.assertTrue(verify(interfaces.IItemControl,
                               self.control('single').controls[0]))

    def test_add_file_on_a_list_or_button_control_raises_TypeError(self):
        for name, kind in (('single', 'select'), ('valued', 'checkbox'),
                           ('r', 'radio'), ('go', 'submit'),
                           ('img', 'image'), ('plain', 'button')):
            with self.assertRaisesRegex(
                    TypeError, f"^Can't call add_file on {kind} controls$"):
                self.control(name).add_file(b'data', 'text/plain', 'a.txt')

    def test_add_file_on_an_expired_control_raises_ExpiredError(self):
        select = self.control('single')
        self.browser.reload()
        with self.assertRaises(ExpiredError):
            select.add_file(b'data', 'text/plain', 'a.txt')

    def test_unknown_attributes_cannot_be_set(self):
        with self.assertRaisesRegex(
                AttributeError, "'Control' object has no attribute 'vlue'"):
            self.control('text').vlue = 'x'
        with self.assertRaisesRegex(AttributeError, "'ListControl'"):
            self.control('single').valeu = 'x'

    def test_clear_empties_each_kind(self):
        for name in ('text', 'multi', 'lone'):
            self.control(name).clear()
        self.control('file').add_file(b'x', 'text/plain', 'x.txt')
        self.control('file').clear()
        self.assertEqual(self.control('text').value, '')
        self.assertEqual(self.control('multi').value, [])
        self.assertIs(self.control('lone').value, False)
        self.assertIsNone(self.control('file').value)

    def test_file_accepts_file_objects_and_assigned_values(self):
        self.control('file').add_file(io.BytesIO(b'data'), 'text/plain', 'a')
        self.assertEqual(self.control('file').value, b'data')
        self.control('file').value = 'text'
        self.assertEqual(self.control('file').value, b'text')
        with self.assertRaisesRegex(TypeError, 'file-like object'):
            self.control('file').add_file(42, 'text/plain', 'a')

    def test_text_value_must_be_a_string(self):
        with self.assertRaisesRegex(TypeError, 'must be str, not int'):
            self.control('text').value = 3

    def test_buttons_have_their_value_and_refuse_new_ones(self):
        self.assertEqual(self.control('go').value, 'Go')
        self.assertEqual(self.control('img').value, '')
        with self.assertRaises(AttributeError):
            self.control('go').value = 'x'
        with self.assertRaises(AttributeError):
            self.control('plain').value = 'x'
        self.control('plain').click()  # no script: nothing happens
        self.assertEqual(self.browser.url, 'http://localhost/')

    def test_multiple_attribute_per_kind(self):
        self.assertEqual([self.control(name).multiple for name in
                          ('text', 'single', 'multi', 'valued', 'r')],
                         [False, False, True, True, False])

    def test_equal_values_are_told_apart_by_index(self):
        multi = self.control('multi')
        multi.getControl(value='A', index=1).selected = True
        self.assertEqual([item.selected for item in multi.controls],
                         [False, False, True])

    def test_display_value_selects_every_matching_item(self):
        multi = self.control('multi')
        multi.displayValue = ['A']
        self.assertEqual(multi.value, ['A', 'A'])
        with self.assertRaisesRegex(ItemNotFoundError,
                                    "^C\navailable items: 'A', 'B', 'A'$"):
            multi.displayValue = ['C']
        single = self.control('single')
        with self.assertRaises(ItemCountError):
            single.displayValue = ['A', 'B']
        single.displayValue = []
        self.assertEqual(single.value, [])

    def test_clicking_the_selected_option_of_a_single_select_deselects(self):
        item = self.control('single').getControl('A')
        item.click()
        self.assertEqual(self.control('single').value, [])

    def test_selected_false_deselects_even_a_radio(self):
        item = self.control('r').getControl(value='1')
        item.selected = False
        self.assertEqual(self.control('r').value, [])

    def test_a_disabled_item_refuses_clicks(self):
        with self.assertRaisesRegex(AttributeError, 'item is disabled'):
            self.control('r').getControl(value='2').click()
        self.assertFalse(self.control('r').disabled)

    def test_lone_checkbox_stays_boolean_after_unchecking(self):
        lone = self.control('lone')
        lone.value = True
        lone.value = False
        self.assertIs(lone.value, False)
        self.assertEqual(lone.displayOptions, ['Lone'])

    def test_item_knows_its_control(self):
        item = self.browser.getControl('Valued')
        self.assertEqual(repr(item.control),
                         "<ListControl name='valued' type='checkbox'>")
        self.assertEqual(item.optionValue, 'v')

    def test_list_getcontrol_needs_exactly_one_of_label_and_value(self):
        with self.assertRaisesRegex(ValueError, '"label" and "value"'):
            self.control('single').getControl()

    def test_everything_expires_when_the_page_changes(self):
        link = self.browser.getLink('X')
        form = self.browser.getForm()
        text = self.control('text')
        item = self.control('single').controls[0]
        self.browser.open('http://localhost/')
        for action in (link.click, form.submit, text.clear, item.click,
                       lambda: form.controls,
                       lambda: setattr(text, 'value', 'x'),
                       lambda: form.getControl(name='text')):
            with self.assertRaises(ExpiredError):
                action()
        self.assertEqual(text.value, 't')  # old data stays readable

    def test_form_controls_lists_controls_then_their_items(self):
        names = [repr(c) for c in self.browser.getForm().controls][:6]
        self.assertEqual(names[3:5], [
            "<ListControl name='single' type='select'>",
            "<ItemControl name='single' type='select' optionValue='A'"
            " selected=True>"])

    def test_form_submit_finds_buttons_only(self):
        with self.assertRaisesRegex(LookupError, "name 'text'"):
            self.browser.getForm().submit(name='text')


class PageWithoutFormsTests(unittest.TestCase):

    def test_control_lookup_says_there_are_no_form_items(self):
        def app(environ, start_response):
            start_response('200 OK', [('Content-Type', 'text/html')])
            return [b'<input name=loose><a href=x>x</a>']
        browser = Browser('http://localhost/', wsgi_app=app)
        with self.assertRaisesRegex(
                LookupError,
                "^name 'loose'\n\\(there are no form items in the HTML\\)$"):
            browser.getControl(name='loose')

    def test_non_html_pages_have_no_links(self):
        def app(environ, start_response):
            start_response('200 OK', [('Content-Type', 'text/plain')])
            return [b'<a href=x>x</a>']
        browser = Browser('http://localhost/', wsgi_app=app)
        with self.assertRaisesRegex(interfaces.BrowserStateError,
                                    'not viewing HTML'):
            browser.getLink('x')
