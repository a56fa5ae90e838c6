"""The form data set, its encodings, and HTML5 constraint validation."""
import unittest

from zc.testbrowser._controls import Upload
from zc.testbrowser._forms import encode_submission
from zc.testbrowser._forms import form_data_set
from zc.testbrowser._forms import validate
from zc.testbrowser._html import parse_elements
from zc.testbrowser.interfaces import ValidationError
from zc.testbrowser.page import build_page


def form_of(html, url='http://localhost/page'):
    return build_page(parse_elements(html), url).forms[0]


def button(form, name):
    return [e for e in form.entries if e.name == name][0]


class FormDataSetTests(unittest.TestCase):

    def test_only_successful_controls_are_sent_in_document_order(self):
        form = form_of(
            '<form><input name=a value=1><input name=b value=2 disabled>'
            '<input value=unnamed><input type=checkbox name=c value=x>'
            '<input type=checkbox name=c value=y checked>'
            '<select name=s multiple><option selected>o1'
            '<option selected disabled>o2</select>'
            '<input type=submit name=go value=Go>'
            '<input type=reset name=r><input type=button name=b2>'
            '<button type=button name=b3>x</button></form>')
        self.assertEqual(form_data_set(form),
                         [('a', '1'), ('c', 'y'), ('s', 'o1')])

    def test_the_submitter_is_sent_where_it_stands(self):
        form = form_of('<form><input name=a><input type=submit name=go'
                       ' value=Go><input name=b></form>')
        self.assertEqual(form_data_set(form, button(form, 'go')),
                         [('a', ''), ('go', 'Go'), ('b', '')])

    def test_image_buttons_send_coordinates_named_or_not(self):
        form = form_of('<form><input type=image name=map>'
                       '<input type=image></form>')
        named, unnamed = form.entries
        self.assertEqual(form_data_set(form, named, (3, 4)),
                         [('map.x', '3'), ('map.y', '4')])
        self.assertEqual(form_data_set(form, unnamed),
                         [('x', '1'), ('y', '1')])

    def test_checkbox_without_value_sends_on(self):
        form = form_of('<form><input type=checkbox name=c checked></form>')
        self.assertEqual(form_data_set(form), [('c', 'on')])

    def test_textarea_line_breaks_are_sent_as_crlf(self):
        form = form_of('<form><textarea name=t>a\nb\rc</textarea></form>')
        self.assertEqual(form_data_set(form), [('t', 'a\r\nb\r\nc')])


class EncodingTests(unittest.TestCase):

    def test_get_replaces_the_query_of_the_action(self):
        form = form_of('<form action="/x?old=1#f"><input name=q value="a b">'
                       '</form>')
        self.assertEqual(encode_submission(form, None, None, 'utf-8'),
                         ('GET', 'http://localhost/x?q=a+b', None, None))

    def test_submitter_overrides_action_method_and_enctype(self):
        form = form_of('<form action=/a><input name=q value=1>'
                       '<button name=b formaction=/b formmethod=post'
                       ' formenctype=multipart/form-data>B</button></form>')
        method, url, body, content_type = encode_submission(
            form, button(form, 'b'), None, 'utf-8')
        self.assertEqual((method, url), ('POST', 'http://localhost/b'))
        self.assertTrue(content_type.startswith('multipart/form-data;'))
        self.assertIn(b'name="q"\r\n\r\n1\r\n', body)

    def test_multipart_carries_files_and_empty_file_parts(self):
        form = form_of('<form method=post enctype=multipart/form-data>'
                       '<input type=file name=f><input type=file name=g>'
                       '</form>')
        form.entries[0].upload = Upload(b'\x00data', 'image/png', 'a.png')
        method, url, body, content_type = encode_submission(
            form, None, None, 'utf-8')
        self.assertIn(b'name="f"; filename="a.png"\r\nContent-Type:'
                      b' image/png\r\n\r\n\x00data\r\n', body)
        self.assertIn(b'name="g"; filename=""\r\nContent-Type:'
                      b' application/octet-stream\r\n\r\n\r\n', body)
        boundary = content_type.split('boundary=')[1].encode()
        self.assertTrue(body.endswith(b'--' + boundary + b'--\r\n'))

    def test_accept_charset_wins_over_the_page_charset(self):
        form = form_of('<form method=post accept-charset="bogus latin-1">'
                       '<input name=q value="é"></form>')
        self.assertEqual(encode_submission(form, None, None, 'utf-8')[2],
                         b'q=%E9')

    def test_characters_outside_the_charset_become_references(self):
        form = form_of('<form method=post><input name=q value="€"></form>')
        self.assertEqual(encode_submission(form, None, None, 'latin-1')[2],
                         b'q=%26%238364%3B')

    def test_text_plain_enctype(self):
        form = form_of('<form method=post enctype=text/plain>'
                       '<input name=a value=1><input name=b value=2></form>')
        self.assertEqual(encode_submission(form, None, None, 'utf-8')[2:],
                         (b'a=1\r\nb=2\r\n', 'text/plain'))


class ValidationTests(unittest.TestCase):

    def problems(self, html, submitter=None, **typed):
        form = form_of(f'<form>{html}</form>')
        # What a user typed; browsers clean up only the value attribute.
        for entry in form.entries:
            if entry.name in typed:
                entry.value = typed[entry.name]
        try:
            validate(form, submitter and button(form, submitter))
        except ValidationError as error:
            return error.problems
        return []

    def test_valid_form_passes(self):
        self.assertEqual(self.problems(
            '<input name=a required value=x><input type=email name=e'
            ' value="a@b.example">'), [])

    def test_required_text_select_checkbox_radio_and_file(self):
        self.assertEqual(self.problems(
            '<input name=t required><select name=s required>'
            '<option value="">Pick</select>'
            '<input type=checkbox name=c required>'
            '<input type=radio name=r required><input type=radio name=r>'
            '<input type=file name=f required>'), [
                ('t', 'required: fill out this field'),
                ('s', 'required: select an option'),
                ('c', 'required: check it'),
                ('r', 'required: check one of the options'),
                ('f', 'required: choose a file')])

    def test_number_range_and_syntax(self):
        self.assertEqual(self.problems(
            '<input type=number name=a min=1 max=5 value=7>'
            '<input type=number name=b>'
            '<input type=range name=c min=10 max=20>', b='x', c='3'), [
                ('a', 'too high: 7, at most 5'),
                ('b', "not a valid value: 'x'"),
                ('c', 'too low: 3, at least 10')])

    def test_dates_compare_in_their_iso_form(self):
        self.assertEqual(self.problems(
            '<input type=date name=d min=2020-01-01 value=2019-12-31>'
            '<input type=month name=m>', m='2020-1'), [
                ('d', 'too low: 2019-12-31, at least 2020-01-01'),
                ('m', "not a valid value: '2020-1'")])

    def test_pattern_must_match_the_whole_value(self):
        self.assertEqual(self.problems(
            '<input name=p pattern="[0-9]+" value="12a">'
            '<input name=q pattern="(" value="x">'), [
                ('p', "does not match the pattern '[0-9]+'")])

    def test_lengths_email_and_url(self):
        self.assertEqual(self.problems(
            '<input name=a maxlength=2 value=abc>'
            '<input name=b minlength=3 value=ab>'
            '<input type=email name=e value="nobody">'
            '<input type=email multiple name=m value="a@b.c, d@e.f">'
            '<input type=url name=u value="no url">'), [
                ('a', 'too long: 3 characters, at most 2'),
                ('b', 'too short: 2 characters, at least 3'),
                ('e', "not an email address: 'nobody'"),
                ('u', "not a URL: 'no url'")])

    def test_disabled_readonly_and_hidden_controls_are_not_validated(self):
        self.assertEqual(self.problems(
            '<input name=a required disabled><input name=b required readonly>'
            '<input type=hidden name=c required>'), [])

    def test_novalidate_and_formnovalidate_switch_validation_off(self):
        form = form_of('<form novalidate><input name=a required></form>')
        validate(form)
        self.assertEqual(self.problems(
            '<input name=a required><input type=submit name=s'
            ' formnovalidate>', 's'), [])

    def test_error_message_lists_every_problem(self):
        error = ValidationError([('a', 'one'), ('b', 'two')])
        self.assertEqual(str(error), 'form is invalid:\n  a: one\n  b: two')
