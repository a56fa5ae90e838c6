import copy
import pickle
import unittest

import zope.schema
import zope.schema.interfaces

from zc.sourcefactory import factories
from zc.sourcefactory import interfaces
from zc.sourcefactory import policies
from zc.sourcefactory.basic import BasicSourceFactory
from zc.sourcefactory.contextual import BasicContextualSourceFactory
from zc.sourcefactory.source import FactoredContextualSource
from zc.sourcefactory.source import FactoredSource


class Letters(BasicSourceFactory):
    def getValues(self):
        return ['a', 'b']


class ContextValues(BasicContextualSourceFactory):
    def getValues(self, context):
        return context


class Configured(BasicSourceFactory):
    inits = 0

    def __init__(self, *values):
        super().__init__()
        Configured.inits += 1
        self.values = list(values)

    def getValues(self):
        return self.values


class BasicSourceFactoryTests(unittest.TestCase):

    def test_calling_the_class_returns_the_source_not_the_factory(self):
        source = Letters()
        self.assertIsInstance(source, FactoredSource)
        self.assertIsInstance(source.factory, Letters)

    def test_factory_classes_implement_ISourceFactory(self):
        self.assertTrue(interfaces.ISourceFactory.implementedBy(Letters))

    def test_init_runs_exactly_once_with_the_call_arguments(self):
        calls = []

        class Recording(Letters):
            def __init__(self, *args, **kw):
                super().__init__()
                calls.append((args, kw))

        Recording(1, two=2)
        self.assertEqual(calls, [((1,), {'two': 2})])

    def test_init_may_have_any_signature(self):
        class Prefixed(BasicSourceFactory):
            def __init__(self, prefix, count=2):
                super().__init__()
                self.prefix, self.count = prefix, count

            def getValues(self):
                return [f'{self.prefix}{i}' for i in range(self.count)]

        self.assertEqual(list(Prefixed('x', count=3)), ['x0', 'x1', 'x2'])

    def test_arguments_without_an_init_are_a_TypeError(self):
        with self.assertRaises(TypeError):
            Letters('unexpected')

    def test_source_class_can_be_overridden(self):
        class MySource(FactoredSource):
            pass

        class Mine(Letters):
            source_class = MySource

        self.assertIsInstance(Mine(), MySource)

    def test_factory_without_getValues_fails_when_iterated(self):
        class Empty(factories.BasicSourceFactory, policies.BasicSourcePolicy):
            pass

        source = Empty()
        with self.assertRaises(AttributeError):
            list(source)


class ContextualSourceFactoryTests(unittest.TestCase):

    def test_calling_the_class_returns_a_binder(self):
        binder = ContextValues()
        self.assertIsInstance(binder, factories.FactoredContextualSourceBinder)
        self.assertTrue(
            zope.schema.interfaces.IContextSourceBinder.providedBy(binder))
        self.assertIsInstance(binder.factory, ContextValues)
        self.assertIs(binder.source_class, FactoredContextualSource)

    def test_binding_gives_a_contextual_source_of_the_context(self):
        context = [1, 2]
        source = ContextValues()(context)
        self.assertIsInstance(source, FactoredContextualSource)
        self.assertIs(source.context, context)
        self.assertEqual(list(source), [1, 2])

    def test_binder_passes_extra_arguments_to_the_source_class(self):
        class Multiplied(FactoredContextualSource):
            def __init__(self, factory, context, multiplier):
                super().__init__(factory, context)
                self.multiplier = multiplier

            def _get_filtered_values(self):
                for value in super()._get_filtered_values():
                    yield value * self.multiplier

        class Numbers(ContextValues):
            source_class = Multiplied

        source = Numbers()([1, 2, 3, 4], multiplier=5)
        self.assertEqual(list(source), [5, 10, 15, 20])
        self.assertIn(15, source)
        self.assertNotIn(3, source)
        self.assertEqual(len(source), 4)

    def test_contextual_init_runs_once_with_the_call_arguments(self):
        calls = []

        class Recording(ContextValues):
            def __init__(self, defaults):
                super().__init__()
                calls.append(defaults)
                self.defaults = defaults

            def getValues(self, context):
                return self.defaults + tuple(context)

        binder = Recording((1, 2))
        self.assertEqual(list(binder([3])), [1, 2, 3])
        self.assertEqual(list(binder([4])), [1, 2, 4])
        self.assertEqual(calls, [(1, 2)])


class CopyAndPickleTests(unittest.TestCase):
    """Copies re-create the factory, not a source in its place."""

    def test_a_deep_copy_of_a_source_has_a_copy_of_its_factory(self):
        source = Configured('a', 'b')
        inits = Configured.inits
        copied = copy.deepcopy(source)
        self.assertIsInstance(copied, FactoredSource)
        self.assertIsInstance(copied.factory, Configured)
        self.assertIsNot(copied.factory, source.factory)
        self.assertEqual(list(copied), ['a', 'b'])
        self.assertEqual(Configured.inits, inits)

    def test_a_pickled_source_loads_with_its_factory_state(self):
        for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
            loaded = pickle.loads(
                pickle.dumps(Configured('x', 'y'), protocol))
            self.assertIsInstance(loaded.factory, Configured)
            self.assertEqual(list(loaded), ['x', 'y'])

    def test_a_deep_copied_choice_field_keeps_a_working_source(self):
        field = zope.schema.Choice(source=Configured('a', 'b'))
        copied = copy.deepcopy(field)
        self.assertEqual(list(copied.vocabulary), ['a', 'b'])
        copied.validate('a')

    def test_a_deep_copy_of_a_contextual_binder_binds(self):
        binder = copy.deepcopy(ContextValues())
        self.assertIsInstance(binder.factory, ContextValues)
        self.assertEqual(list(binder([1, 2])), [1, 2])
