"""Adding a nonce to Content-Security-Policy values."""
import unittest

from zc.resourcelibrary import _csp


class AddNonceTests(unittest.TestCase):

    def test_script_and_style_directives_get_the_nonce(self):
        self.assertEqual(
            _csp.add_nonce("script-src 'self'; style-src 'self'", 'n'),
            "script-src 'self' 'nonce-n'; style-src 'self' 'nonce-n'")

    def test_default_src_is_copied_into_missing_directives(self):
        self.assertEqual(
            _csp.add_nonce("default-src 'self'; img-src *", 'n'),
            "default-src 'self'; img-src *; script-src 'self' 'nonce-n'; "
            "style-src 'self' 'nonce-n'")

    def test_none_is_replaced_by_the_nonce(self):
        self.assertEqual(_csp.add_nonce("script-src 'none'", 'n'),
                         "script-src 'nonce-n'")

    def test_policy_without_script_or_style_restrictions_is_kept(self):
        self.assertEqual(_csp.add_nonce("img-src 'self'", 'n'),
                         "img-src 'self'")

    def test_directives_allowing_inline_code_are_left_alone(self):
        policy = "script-src 'self' 'unsafe-inline'; style-src 'self'"
        self.assertEqual(
            _csp.add_nonce(policy, 'n'),
            "script-src 'self' 'unsafe-inline'; style-src 'self' 'nonce-n'")

    def test_directives_with_a_nonce_already_get_ours_too(self):
        self.assertEqual(
            _csp.add_nonce("script-src 'nonce-x' 'unsafe-inline'", 'n'),
            "script-src 'nonce-x' 'unsafe-inline' 'nonce-n'")

    def test_elem_directives_are_extended(self):
        self.assertEqual(
            _csp.add_nonce("script-src-elem 'self'", 'n'),
            "script-src-elem 'self' 'nonce-n'")

    def test_the_nonce_is_added_once(self):
        self.assertEqual(_csp.add_nonce("script-src 'nonce-n'", 'n'),
                         "script-src 'nonce-n'")

    def test_directive_names_are_case_insensitive(self):
        self.assertEqual(_csp.add_nonce("Script-Src 'self'", 'n'),
                         "script-src 'self' 'nonce-n'")

    def test_new_policy_allows_own_files_and_the_nonce(self):
        self.assertEqual(_csp.new_policy('n'),
                         "script-src 'self' 'nonce-n'; "
                         "style-src 'self' 'nonce-n'")

    def test_nonces_that_are_not_base64_are_refused(self):
        for nonce in ('', 'a b', "x'", 'a"><script>', None):
            with self.assertRaises(ValueError):
                _csp.check_nonce(nonce)
