import unittest

from zc.sourcefactory import interfaces
from zc.sourcefactory import source as source_module
from zc.sourcefactory.basic import BasicSourceFactory
from zc.sourcefactory.contextual import BasicContextualSourceFactory
from zc.sourcefactory.source import FactoredContextualSource
from zc.sourcefactory.source import FactoredSource
from zc.sourcefactory.tests._fixtures import ConfiguredTestCase
from zc.sourcefactory.tests._fixtures import values_factory


class Odd(BasicSourceFactory):
    def getValues(self):
        return range(1, 20)

    def filterValue(self, value):
        return value % 2


class OneThenBoom(BasicSourceFactory):
    def getValues(self):
        yield 1
        raise AssertionError('read past the first value')


class ContextualOneThenBoom(BasicContextualSourceFactory):
    def getValues(self, context):
        yield context
        raise AssertionError('read past the first value')


class FactoredSourceTests(unittest.TestCase):

    def test_source_provides_IFactoredSource(self):
        self.assertTrue(interfaces.IFactoredSource.providedBy(Odd()))

    def test_class_attribute_factory_is_None(self):
        self.assertIsNone(FactoredSource.factory)
        self.assertIsNone(FactoredContextualSource.context)

    def test_iteration_reads_the_values_again_each_time(self):
        values = [1]
        source = values_factory(values)()
        self.assertEqual(list(source), [1])
        values.append(2)
        self.assertEqual(list(source), [1, 2])
        self.assertIn(2, source)
        self.assertEqual(len(source), 2)

    def test_filter_applies_to_iter_len_in_and_bool(self):
        source = Odd()
        self.assertEqual(list(source), [1, 3, 5, 7, 9, 11, 13, 15, 17, 19])
        self.assertEqual(len(source), 10)
        self.assertIn(3, source)
        self.assertNotIn(2, source)

        class NoneLeft(Odd):
            def filterValue(self, value):
                return False

        self.assertFalse(NoneLeft())

    def test_bool_reads_only_one_value(self):
        self.assertIs(bool(OneThenBoom()), True)

    def test_bool_of_a_contextual_source_reads_only_one_value(self):
        self.assertIs(bool(ContextualOneThenBoom()('x')), True)

    def test_bool_of_an_empty_source_is_False(self):
        self.assertIs(bool(values_factory([])()), False)

    def test_bool_does_not_call_len(self):
        class NoLen(FactoredSource):
            def __len__(self):
                raise AssertionError('len called')

        class Factory(Odd):
            source_class = NoLen

        self.assertTrue(Factory())

    def test_contextual_source_has_the_context_as_parent(self):
        context = object()
        source = ContextualOneThenBoom()(context)
        self.assertIs(source.__parent__, context)
        self.assertTrue(interfaces.IContextualSource.providedBy(source))

    def test_contextual_filter_gets_the_context(self):
        class Above(BasicContextualSourceFactory):
            def getValues(self, context):
                return range(10)

            def filterValue(self, context, value):
                return value > context

        self.assertEqual(list(Above()(6)), [7, 8, 9])

    def test_works_with_a_factory_that_has_no_options(self):
        class Plain:
            def getValues(self):
                return [1, 2]

            def filterValue(self, value):
                return True

        source = FactoredSource(Plain())
        self.assertEqual(list(source), [1, 2])
        self.assertFalse(interfaces.IIndexedSource.providedBy(source))

    def test_no_class_defines_its_own_repr(self):
        for cls in (FactoredSource, FactoredContextualSource):
            self.assertNotIn('__repr__', vars(cls))
        self.assertRegex(
            repr(Odd()),
            r'^<zc\.sourcefactory\.source\.FactoredSource object at 0x')


class TokenLookupTests(ConfiguredTestCase):

    def test_getValueByToken_scans_for_the_first_matching_token(self):
        source = values_factory([1, 2, 3])()
        self.assertEqual(source.getValueByToken('2'), 2)

    def test_unknown_token_is_a_KeyError_naming_it(self):
        source = values_factory([1, 2, 3])()
        with self.assertRaises(KeyError) as caught:
            source.getValueByToken('three')
        self.assertEqual(str(caught.exception),
                         "\"No value with token 'three'\"")
        self.assertEqual(caught.exception.args,
                         ("No value with token 'three'",))

    def test_filtered_values_have_no_token(self):
        with self.assertRaises(KeyError):
            Odd().getValueByToken('2')

    def test_refresh_of_a_source_without_index_changes_nothing(self):
        values = [1]
        source = values_factory(values)()
        source.refresh()
        values.append(2)
        self.assertEqual(source.getValueByToken('2'), 2)


class Indexed(BasicSourceFactory):
    token_index = True
    reads = 0

    def __init__(self, values):
        super().__init__()
        self.values = values

    def getValues(self):
        Indexed.reads += 1
        return self.values


class IndexedSourceTests(ConfiguredTestCase):

    def setUp(self):
        super().setUp()
        Indexed.reads = 0

    def test_indexed_source_provides_IIndexedSource(self):
        source = Indexed([1])
        self.assertTrue(interfaces.IIndexedSource.providedBy(source))
        self.assertFalse(
            interfaces.IIndexedSource.providedBy(values_factory([1])()))

    def test_index_is_built_once_for_lookups_in_and_len(self):
        source = Indexed(list(range(100)))
        self.assertEqual(source.getValueByToken('42'), 42)
        self.assertIn(99, source)
        self.assertNotIn(100, source)
        self.assertEqual(len(source), 100)
        self.assertEqual(list(source), list(range(100)))
        self.assertEqual(Indexed.reads, 1)

    def test_lookups_go_through_the_factory_policy(self):
        source = Indexed(['a', 'b'])
        token = source.factory.getToken('b')
        self.assertEqual(source.factory.getValue(source, token), 'b')

    def test_unknown_token_is_a_KeyError_naming_it(self):
        with self.assertRaises(KeyError) as caught:
            Indexed([1]).getValueByToken('nope')
        self.assertEqual(caught.exception.args,
                         ("No value with token 'nope'",))

    def test_a_token_that_is_no_string_is_a_KeyError_naming_it(self):
        source = Indexed([1])
        for token in (None, 1.5, ['1']):
            with self.assertRaises(KeyError) as caught:
                source.getValueByToken(token)
            self.assertEqual(caught.exception.args,
                             ("No value with token '%s'" % (token,),))

    def test_search_of_an_indexed_source_reads_the_index(self):
        source = Indexed(['York', 'Boston'])
        self.assertIn('York', source)  # builds the index
        reads = Indexed.reads
        self.assertEqual(list(source.search('york')), ['York'])
        self.assertEqual(Indexed.reads, reads)

    def test_values_are_those_of_the_moment_the_index_was_built(self):
        values = [1, 2]
        source = Indexed(values)
        self.assertEqual(len(source), 2)
        values.append(3)
        self.assertNotIn(3, source)
        source.refresh()
        self.assertIn(3, source)
        self.assertEqual(source.getValueByToken('3'), 3)

    def test_bool_before_the_index_reads_one_value(self):
        class Boom(Indexed):
            def getValues(self):
                yield 1
                raise AssertionError('read past the first value')

        self.assertTrue(Boom(None))

    def test_bool_answers_from_a_built_index(self):
        source = Indexed([])
        self.assertEqual(len(source), 0)
        self.assertFalse(source)
        self.assertEqual(Indexed.reads, 1)

    def test_filter_applies_before_indexing(self):
        class OddIndexed(Indexed):
            def filterValue(self, value):
                return value % 2

        source = OddIndexed(range(10))
        self.assertEqual(len(source), 5)
        self.assertNotIn(2, source)
        with self.assertRaises(KeyError):
            source.getValueByToken('2')

    def test_membership_does_not_compute_tokens(self):
        class Counting(Indexed):
            tokens = 0

            def getToken(self, value):
                Counting.tokens += 1
                return super().getToken(value)

        source = Counting([1, 2])
        self.assertIn(1, source)
        self.assertNotIn(1.5, source)  # 1.5 has no token: no error either
        self.assertEqual(Counting.tokens, 2)

    def test_contextual_sources_index_per_binding(self):
        class PerContext(BasicContextualSourceFactory):
            token_index = True

            def getValues(self, context):
                return context

            def getToken(self, context, value):
                return f'{value}-of-{len(context)}'

        binder = PerContext()
        first, second = binder([1, 2]), binder([1, 2, 3])
        self.assertEqual(first.getValueByToken('2-of-2'), 2)
        self.assertEqual(second.getValueByToken('2-of-3'), 2)
        self.assertIn(3, second)
        self.assertNotIn(3, first)


class Cities(BasicSourceFactory):
    searchable = True
    cities = ['New York', 'Newark', 'York', 'Boston']

    def getValues(self):
        return self.cities


class SearchTests(unittest.TestCase):

    def test_searchable_source_provides_ISearchableSource(self):
        self.assertTrue(interfaces.ISearchableSource.providedBy(Cities()))
        self.assertFalse(
            interfaces.ISearchableSource.providedBy(values_factory([])()))

    def test_every_word_must_occur_ignoring_case(self):
        source = Cities()
        self.assertEqual(list(source.search('york')), ['New York', 'York'])
        self.assertEqual(list(source.search('NEW yo')), ['New York'])
        self.assertEqual(list(source.search('chicago')), [])

    def test_an_empty_query_matches_every_value(self):
        self.assertEqual(list(Cities().search('  ')), Cities.cities)

    def test_a_query_that_is_no_string_is_a_TypeError_naming_it(self):
        with self.assertRaisesRegex(TypeError, r'not 42'):
            Cities().search(42)

    def test_results_come_lazily(self):
        class Endless(Cities):
            def getValues(self):
                number = 0
                while True:
                    number += 1
                    yield f'customer {number}'

        matches = Endless().search('customer 7')
        self.assertEqual([next(matches) for i in range(3)],
                         ['customer 7', 'customer 17', 'customer 27'])

    def test_the_filter_applies_to_search_results(self):
        class NoBoston(Cities):
            def filterValue(self, value):
                return value != 'Boston'

        self.assertEqual(list(NoBoston().search('bost')), [])

    def test_factory_can_supply_candidates_and_matching(self):
        class Catalogued(Cities):
            def searchValues(self, query):
                return [city for city in self.cities
                        if city.startswith(query)]

            def matchesQuery(self, value, query):
                return True

        self.assertEqual(list(Catalogued().search('New')),
                         ['New York', 'Newark'])

    def test_candidates_are_filtered_like_the_values(self):
        class Catalogued(Cities):
            def searchValues(self, query):
                return ['Boston', 'Bostonia']

            def filterValue(self, value):
                return value != 'Bostonia'

        self.assertEqual(list(Catalogued().search('bost')), ['Boston'])

    def test_search_finds_the_values_a_source_subclass_lists(self):
        class Shouting(FactoredSource):
            def _get_filtered_values(self):
                for value in super()._get_filtered_values():
                    yield value.upper()

        class LoudCities(Cities):
            source_class = Shouting

        self.assertEqual(list(LoudCities().search('york')),
                         ['NEW YORK', 'YORK'])

    def test_contextual_search_of_a_source_subclass_finds_its_values(self):
        class Doubled(FactoredContextualSource):
            def _get_filtered_values(self):
                for value in super()._get_filtered_values():
                    yield value * 2

        class Numbers(BasicContextualSourceFactory):
            source_class = Doubled

            def getValues(self, context):
                return context

        self.assertEqual(list(Numbers()([1, 5, 6]).search('1')), [10, 12])

    def test_contextual_search_gets_the_context(self):
        class Rooms(BasicContextualSourceFactory):
            searchable = True

            def getValues(self, context):
                return context

            def getTitle(self, context, value):
                return value.upper()

        source = Rooms()(['hall a', 'hall b', 'cellar'])
        self.assertTrue(interfaces.ISearchableSource.providedBy(source))
        self.assertEqual(list(source.search('HALL b')), ['hall b'])


class ImportTests(unittest.TestCase):

    def test_source_module_is_reachable_as_an_attribute_after_contextual(
            self):
        import zc.sourcefactory.contextual  # noqa: F401
        self.assertIs(zc.sourcefactory.source, source_module)
