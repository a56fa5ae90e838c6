import copy
import pickle
import threading
import time
import unittest

import zope.schema
import zope.schema.interfaces

from zc.sourcefactory.mapping import ValueMappingSource
from zc.sourcefactory.mapping import ValueMappingSourceContextBinder


def letter(number):
    return chr(number + 96)


class CountingList(list):
    """A base that counts how many values its iterators hand out."""

    read = 0

    def __iter__(self):
        for value in super().__iter__():
            self.read += 1
            yield value


class ValueMappingSourceTests(unittest.TestCase):

    def test_lists_counts_and_checks_mapped_values(self):
        source = ValueMappingSource([1, 2, 3, 4, 5], letter)
        self.assertTrue(
            zope.schema.interfaces.IIterableSource.providedBy(source))
        self.assertEqual(list(source), ['a', 'b', 'c', 'd', 'e'])
        self.assertEqual(len(source), 5)
        self.assertIn('a', source)
        self.assertNotIn(1, source)
        self.assertNotIn('z', source)

    def test_mapReverse_gives_the_base_value(self):
        source = ValueMappingSource([1, 2, 3], letter)
        self.assertEqual(source.mapReverse('c'), 3)

    def test_mapReverse_of_an_unknown_value_is_a_KeyError_of_it(self):
        with self.assertRaises(KeyError) as caught:
            ValueMappingSource([1], letter).mapReverse('z')
        self.assertEqual(caught.exception.args, ('z',))

    def test_reverse_lookups_read_the_base_only_as_far_as_needed(self):
        base = CountingList([1, 2, 3, 4, 5])
        source = ValueMappingSource(base, letter)
        self.assertEqual(source.mapReverse('b'), 2)
        self.assertEqual(base.read, 2)
        self.assertEqual(source.mapReverse('a'), 1)
        self.assertEqual(base.read, 2)
        self.assertEqual(source.mapReverse('d'), 4)
        self.assertEqual(base.read, 4)

    def test_values_added_to_the_base_later_are_found(self):
        base = [1, 2]
        source = ValueMappingSource(base, letter)
        self.assertNotIn('c', source)
        base.append(3)
        self.assertIn('c', source)
        self.assertEqual(source.mapReverse('c'), 3)

    def test_values_removed_from_the_base_are_no_longer_in_it(self):
        base = [1, 2, 3]
        source = ValueMappingSource(base, letter)
        self.assertIn('b', source)
        base.remove(2)
        self.assertNotIn('b', source)
        self.assertIn('c', source)

    def test_a_value_mapped_from_another_base_value_after_a_change(self):
        base = [1, 27]
        source = ValueMappingSource(base, lambda number: number % 26)
        self.assertEqual(source.mapReverse(1), 1)
        base.remove(1)
        self.assertIn(1, source)
        self.assertEqual(source.mapReverse(1), 27)

    def test_a_base_value_that_maps_to_something_else_now_is_not_in_it(
            self):
        class User:
            def __init__(self, email):
                self.email = email

        jim = User('jim@example.com')
        source = ValueMappingSource([jim], lambda user: user.email)
        self.assertIn('jim@example.com', source)
        jim.email = 'jim@example.org'
        self.assertNotIn('jim@example.com', source)
        self.assertIn('jim@example.org', source)
        self.assertIs(source.mapReverse('jim@example.org'), jim)

    def test_unhashable_mapped_values_are_a_TypeError_naming_them(self):
        source = ValueMappingSource([1], lambda number: [number])
        with self.assertRaisesRegex(TypeError, r'\[1\] is not'):
            source.mapReverse([1])

    def test_bool_reads_one_value_and_never_calls_len(self):
        class Huge:
            def __iter__(self):
                yield 1
                raise AssertionError('read past the first value')

            def __len__(self):
                raise AssertionError('len called')

        self.assertIs(bool(ValueMappingSource(Huge(), letter)), True)
        self.assertIs(bool(ValueMappingSource([], letter)), False)

    def test_concurrent_lookups_share_one_scan_safely(self):
        def slow_letters():
            for number in range(1, 2001):
                # Let other threads run while the scan is inside the
                # generator: unguarded, they would find it executing.
                time.sleep(0)
                yield number

        class Generated:
            def __iter__(self):
                return slow_letters()

            def __contains__(self, value):
                return 1 <= value <= 2000

        source = ValueMappingSource(Generated(), lambda number: -number)
        errors = []

        def look_up(start):
            try:
                for number in range(start, 2001, 7):
                    assert source.mapReverse(-number) == number
            except Exception as error:  # reported below
                errors.append(error)

        threads = [threading.Thread(target=look_up, args=(start,))
                   for start in range(1, 8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        self.assertFalse(any(thread.is_alive() for thread in threads))
        self.assertEqual(errors, [])


class ValueMappingSourceCopyTests(unittest.TestCase):

    def test_a_deep_copy_works_after_lookups_and_has_its_own_cache(self):
        base = [1, 2, 3]
        source = ValueMappingSource(base, str)
        self.assertEqual(source.mapReverse('1'), 1)  # a scan is running
        copied = copy.deepcopy(source)
        self.assertEqual(list(copied), ['1', '2', '3'])
        self.assertIsNot(copied.base, base)
        copied.base.append(4)
        self.assertIn('4', copied)
        self.assertNotIn('4', source)

    def test_a_pickled_source_loads_and_looks_up(self):
        source = ValueMappingSource([1, 2], str)
        self.assertIn('2', source)
        loaded = pickle.loads(pickle.dumps(source))
        self.assertEqual(loaded.mapReverse('2'), 2)
        self.assertNotIn('3', loaded)

    def test_a_deep_copied_choice_field_validates(self):
        field = zope.schema.Choice(
            source=ValueMappingSource([1, 2], str))
        copied = copy.deepcopy(field)
        copied.validate('2')
        with self.assertRaises(zope.schema.interfaces.ConstraintNotSatisfied):
            copied.validate('3')


class ValueMappingSourceContextBinderTests(unittest.TestCase):

    def test_binds_the_base_and_maps_its_values(self):
        binder = ValueMappingSourceContextBinder(
            lambda context: context.numbers, letter)
        self.assertTrue(
            zope.schema.interfaces.IContextSourceBinder.providedBy(binder))

        class Context:
            numbers = [1, 2]

        source = binder(Context())
        self.assertIsInstance(source, ValueMappingSource)
        self.assertEqual(list(source), ['a', 'b'])
        self.assertIn('b', source)
