"""Resolution, tags, injection, content types and ``register``."""
import os
import tempfile
import unittest

from zope.configuration.exceptions import ConfigurationError

from zc.resourcelibrary import core
from zc.resourcelibrary.resourcelibrary import LibraryInfo


def info(included=(), required=()):
    result = LibraryInfo()
    result.included = list(included)
    result.required = list(required)
    return result


def sample_registry():
    return {'A': info(['foo.js'], ['B']), 'B': info(['bar.js'], ['C']),
            'C': info(['baz.js']), 'D': info(['foo.css'], ['C']),
            'E': info([], ['D'])}


def url_for(library, file):
    return f'http://localhost/@@/{library}/{file}'


class ResolveTests(unittest.TestCase):

    def resolve(self, *names):
        return core.resolve(names, sample_registry())

    def test_dependencies_come_first(self):
        self.assertEqual(self.resolve('A'), ['C', 'B', 'A'])

    def test_a_library_already_included_as_a_dependency_is_not_repeated(self):
        self.assertEqual(self.resolve('A', 'D'), ['C', 'B', 'A', 'D'])
        self.assertEqual(self.resolve('C', 'A', 'D', 'A'),
                         ['C', 'B', 'A', 'D'])

    def test_a_library_without_files_contributes_only_its_dependencies(self):
        self.assertEqual(self.resolve('E'), ['C', 'D'])

    def test_unknown_library_raises_RuntimeError_naming_it(self):
        with self.assertRaises(RuntimeError) as caught:
            self.resolve('A', 'Z')
        self.assertEqual(str(caught.exception),
                         'Unknown resource library: "Z"')

    def test_unknown_dependency_raises_RuntimeError_naming_it(self):
        registry = {'A': info(['a.js'], ['gone'])}
        with self.assertRaisesRegex(RuntimeError, '"gone"'):
            core.resolve(['A'], registry)

    def test_dependency_cycle_raises_RuntimeError_naming_the_cycle(self):
        registry = sample_registry()
        registry['C'].required.append('A')
        with self.assertRaises(RuntimeError) as caught:
            core.resolve(['D', 'A'], registry)
        self.assertEqual(
            str(caught.exception), 'Resource library dependency cycle: '
            '"C" -> "A" -> "B" -> "C"')

    def test_self_dependency_is_a_cycle(self):
        with self.assertRaisesRegex(RuntimeError, 'cycle: "A" -> "A"'):
            core.resolve(['A'], {'A': info(['a.js'], ['A'])})

    def test_long_dependency_chains_do_not_hit_the_recursion_limit(self):
        registry = {f'L{i}': info([f'{i}.js'], [f'L{i + 1}'] if i < 4999
                                  else []) for i in range(5000)}
        order = core.resolve(['L0'], registry)
        self.assertEqual(order[0], 'L4999')
        self.assertEqual(order[-1], 'L0')
        self.assertEqual(len(order), 5000)

    def test_default_registry_is_looked_up_at_call_time(self):
        from zc.resourcelibrary import resourcelibrary
        saved = resourcelibrary.library_info
        resourcelibrary.library_info = {'X': info(['x.js'])}
        try:
            self.assertEqual(core.resolve(['X']), ['X'])
        finally:
            resourcelibrary.library_info = saved


class FindCycleTests(unittest.TestCase):

    def test_no_cycle_gives_None(self):
        self.assertIsNone(core.find_cycle('A', sample_registry()))

    def test_cycle_is_returned_as_a_closed_path(self):
        registry = sample_registry()
        registry['C'].required.append('B')
        self.assertEqual(core.find_cycle('A', registry), ['B', 'C', 'B'])

    def test_unknown_names_are_ignored(self):
        registry = {'A': info([], ['missing'])}
        self.assertIsNone(core.find_cycle('A', registry))
        self.assertIsNone(core.find_cycle('missing', registry))


class RenderTagsTests(unittest.TestCase):

    def render(self, libraries, **options):
        return core.render_tags(libraries, url_for,
                                registry=self.registry, **options)

    def setUp(self):
        self.registry = {'lib': info(['a.js', 'b.css', 'c.kss'])}

    def test_original_tags_exactly(self):
        self.assertEqual(
            self.render(['lib']),
            '<script src="http://localhost/@@/lib/a.js" \n'
            '        type="text/javascript">\n'
            '    </script>\n'
            '    <style type="text/css" media="all">\n'
            '      <!--\n'
            '        @import url("http://localhost/@@/lib/b.css");\n'
            '      -->\n'
            '    </style>\n'
            '    <link type="text/kss" href="http://localhost/@@/lib/c.kss"'
            ' rel="kinetic-stylesheet" />')

    def test_no_libraries_give_no_tags(self):
        self.assertEqual(self.render([]), '')

    def test_unknown_extension_raises_NotImplementedError(self):
        self.registry['lib'].included.append('d.txt')
        with self.assertRaises(NotImplementedError) as caught:
            self.render(['lib'])
        self.assertEqual(
            str(caught.exception),
            'Resource library doesn\'t know how to include this file: '
            '"d.txt"')

    def test_html5_tags_are_one_line_each(self):
        self.assertEqual(
            self.render(['lib'], html5=True),
            '<script src="http://localhost/@@/lib/a.js"></script>\n'
            '    <link rel="stylesheet" href="http://localhost/@@/lib/b.css"'
            ' />\n'
            '    <link type="text/kss" href="http://localhost/@@/lib/c.kss"'
            ' rel="kinetic-stylesheet" />')

    def test_extra_attributes_go_on_scripts_and_style_sheets(self):
        tags = self.render(['lib'], html5=True, attributes=lambda l, f: {
            'integrity': 'sha384-x', 'crossorigin': 'anonymous',
            'nonce': 'n1'})
        self.assertIn('<script src="http://localhost/@@/lib/a.js" '
                      'integrity="sha384-x" crossorigin="anonymous" '
                      'nonce="n1"></script>', tags)
        self.assertIn('href="http://localhost/@@/lib/b.css" '
                      'integrity="sha384-x" crossorigin="anonymous" '
                      'nonce="n1" />', tags)

    def test_loading_attributes_in_original_tags(self):
        self.registry['lib'].loading = {'a.js': ('module', 'async')}
        tags = self.render(['lib'], attributes=lambda l, f: {'nonce': 'n'})
        self.assertTrue(tags.startswith(
            '<script src="http://localhost/@@/lib/a.js" async nonce="n" \n'
            '        type="module">\n    </script>'))
        self.assertIn('<style type="text/css" media="all" nonce="n">', tags)

    def test_defer_in_html5_tags(self):
        self.registry['lib'].loading = {'a.js': ('defer',)}
        self.assertIn('<script src="http://localhost/@@/lib/a.js" defer>',
                      self.render(['lib'], html5=True))

    def test_integrity_on_original_css_tag_is_refused(self):
        with self.assertRaisesRegex(ValueError, 'integrity needs html5'):
            self.render(['lib'], attributes=lambda l, f: {'integrity': 'x'})

    def test_extensions_select_the_kinds_of_files(self):
        self.assertEqual(self.render(['lib'], html5=True,
                                     extensions=('.js',)),
                         '<script src="http://localhost/@@/lib/a.js">'
                         '</script>')


class InjectTests(unittest.TestCase):

    def test_tags_go_right_after_the_first_head(self):
        self.assertEqual(core.inject('<html><head></head></html>', 'TAGS'),
                         '<html><head>\n    TAGS\n</head></html>')

    def test_only_the_first_head_gets_tags(self):
        body = '<head></head><textarea><head></head></textarea>'
        self.assertEqual(
            core.inject(body, 'T'),
            '<head>\n    T\n</head><textarea><head></head></textarea>')

    def test_the_first_marker_is_replaced_instead(self):
        body = (f'<head>{core.MARKER}</head>'
                f'<body>{core.MARKER}</body>')
        self.assertEqual(core.inject(body, 'T'),
                         f'<head>T</head><body>{core.MARKER}</body>')

    def test_no_tags_leave_the_body_and_marker_alone(self):
        body = f'<head>{core.MARKER}</head>'
        self.assertIs(core.inject(body, ''), body)

    def test_body_without_head_is_unchanged(self):
        for body in ('<p>no head</p>', '<HEAD></HEAD>',
                     '<head lang="en"></head>'):
            self.assertEqual(core.inject(body, 'T'), body)

    def test_any_head_matches_case_and_attributes(self):
        self.assertEqual(core.inject('<HEAD lang="en"></HEAD>', 'T',
                                     any_head=True),
                         '<HEAD lang="en">\n    T\n</HEAD>')
        self.assertEqual(core.inject('<header></header>', 'T',
                                     any_head=True), '<header></header>')

    def test_end_of_body_tags_go_before_the_last_closing_body(self):
        body = '<head></head><body>x</body>'
        self.assertEqual(core.inject(body, 'CSS', end_of_body='JS'),
                         '<head>\n    CSS\n</head><body>xJS\n</body>')

    def test_end_of_body_tags_without_body_join_the_head_tags(self):
        self.assertEqual(core.inject('<head></head>', 'CSS',
                                     end_of_body='JS'),
                         '<head>\n    CSS\n    JS\n</head>')

    def test_only_end_of_body_tags_leave_the_head_alone(self):
        self.assertEqual(core.inject('<head></head><body></body>', '',
                                     end_of_body='JS'),
                         '<head></head><body>JS\n</body>')

    def test_head_tags_come_first_where_both_go_to_the_same_place(self):
        self.assertEqual(core.inject('<head></body>', 'CSS',
                                     end_of_body='JS'),
                         '<head>\n    CSS\nJS\n</body>')

    def test_bytes_pages_get_what_text_pages_get(self):
        cases = [
            ('<html><head></head></html>', {}),
            (f'<head>{core.MARKER}</head><body>{core.MARKER}</body>', {}),
            ('<head></head><textarea><head></head></textarea>', {}),
            ('<p>no head</p>', {}),
            ('<HEAD lang="en"></HEAD>', {'any_head': True}),
            ('<head></head><body>x</body>', {'end_of_body': 'JS'}),
            ('<head></body>', {'end_of_body': 'JS'}),
            ('<head></head>', {'end_of_body': 'JS'}),
        ]
        for body, options in cases:
            expected = core.inject(body, 'T', **options).encode()
            if 'end_of_body' in options:
                options['end_of_body'] = options['end_of_body'].encode()
            self.assertEqual(core.inject(body.encode(), b'T', **options),
                             expected, body)

    def test_a_bytes_page_without_a_place_is_returned_itself(self):
        body = b'<p>no head</p>' * 10
        self.assertIs(core.inject(body, b'T'), body)


class IsProcessableTests(unittest.TestCase):

    def test_html_and_xml_in_any_case_with_parameters(self):
        for content_type in ('text/html', 'text/xml', 'text/hTMl',
                             'text/xml; charset=utf-8'):
            self.assertTrue(core.is_processable(content_type), content_type)

    def test_other_types_and_whitespace_before_the_semicolon(self):
        for content_type in ('text/none', 'text/nOne; charset=utf-8',
                             'application/xhtml+xml', 'text/ xml',
                             'text/xml ; charset=utf-8', '', None,
                             'application/json'):
            self.assertFalse(core.is_processable(content_type),
                             content_type)

    def test_xhtml_on_request(self):
        self.assertTrue(core.is_processable('application/xhtml+xml',
                                            xhtml=True))


class RegisterTests(unittest.TestCase):

    def setUp(self):
        self.registry = {}
        self.directory = tempfile.mkdtemp()
        for name in ('a.js', 'b.css'):
            with open(os.path.join(self.directory, name), 'w') as f:
                f.write('/* */')

    def register(self, name, **kw):
        return core.register(name, registry=self.registry, **kw)

    def test_register_fills_the_registry(self):
        result = self.register('lib', directory=self.directory,
                               include=['a.js', 'b.css'])
        self.assertIs(self.registry['lib'], result)
        self.assertEqual(result.included, ['a.js', 'b.css'])
        self.assertEqual(result.required, [])
        self.assertEqual(result.directory, self.directory)

    def test_missing_directory_is_refused(self):
        missing = os.path.join(self.directory, 'nope')
        with self.assertRaises(ConfigurationError) as caught:
            self.register('lib', directory=missing)
        self.assertEqual(str(caught.exception),
                         f'Directory {missing!r} does not exist')

    def test_unknown_extension_is_refused(self):
        with self.assertRaises(ConfigurationError) as caught:
            self.register('lib', directory=self.directory,
                          include=['a.txt'])
        self.assertEqual(
            str(caught.exception),
            'Resource library doesn\'t know how to include this file: '
            '"a.txt".')

    def test_missing_file_is_refused(self):
        with self.assertRaisesRegex(ConfigurationError,
                                    '"c.js" does not exist'):
            self.register('lib', directory=self.directory,
                          include=['c.js'])

    def test_include_without_directory_is_refused(self):
        with self.assertRaisesRegex(ConfigurationError, 'no directory'):
            self.register('lib', include=['a.js'])

    def test_unknown_dependency_is_refused(self):
        with self.assertRaises(ConfigurationError) as caught:
            self.register('lib', require=['jquery'])
        self.assertEqual(
            str(caught.exception),
            'Resource library "lib" has unsatisfied dependency on '
            '"jquery".')

    def test_depending_on_itself_is_refused(self):
        with self.assertRaisesRegex(ConfigurationError, 'itself'):
            self.register('lib', require=['lib'])

    def test_same_registration_twice_is_harmless(self):
        first = self.register('lib', directory=self.directory,
                              include=['a.js'])
        again = self.register('lib', directory=self.directory,
                              include=['a.js'])
        self.assertIs(first, again)

    def test_different_registration_of_a_name_is_refused(self):
        self.register('lib', directory=self.directory, include=['a.js'])
        with self.assertRaisesRegex(ValueError, 'already registered'):
            self.register('lib', directory=self.directory,
                          include=['b.css'])
        self.assertEqual(self.registry['lib'].included, ['a.js'])

    def test_bad_names_are_refused(self):
        for name in ('', 'a/b', None):
            with self.assertRaises(ValueError):
                self.register(name)

    def test_a_string_for_include_is_refused(self):
        with self.assertRaisesRegex(TypeError, 'a.js'):
            self.register('lib', directory=self.directory, include='a.js')

    def test_loading_attributes_are_parsed_into_tuples(self):
        result = self.register('lib', directory=self.directory,
                               include=['a.js'],
                               loading={'a.js': 'module async'})
        self.assertEqual(result.loading, {'a.js': ('module', 'async')})

    def test_unknown_loading_attribute_is_refused(self):
        with self.assertRaisesRegex(ValueError, "'lazy'"):
            self.register('lib', directory=self.directory,
                          include=['a.js'], loading={'a.js': 'lazy'})

    def test_loading_attributes_for_a_style_sheet_are_refused(self):
        with self.assertRaisesRegex(ValueError, '"b.css" is not one'):
            self.register('lib', directory=self.directory,
                          include=['b.css'], loading={'b.css': 'defer'})


class FindMarkerTests(unittest.TestCase):

    def test_marker_is_found_among_many_zs(self):
        for zs in (0, 1, 63, 64, 65, 500):
            body = 'z' * zs + '<p>' + core.MARKER + core.MARKER
            self.assertEqual(core._find_marker(body), zs + 3, zs)
            self.assertEqual(core._find_marker('z' * zs + '<p>'), -1, zs)

    def test_marker_at_the_very_start(self):
        self.assertEqual(core._find_marker(core.MARKER + 'z'), 0)

    def test_a_z_too_close_to_the_start_is_no_marker(self):
        self.assertEqual(core._find_marker('zc.resourcelibrary -->'), -1)
