"""The ZCML directive ``resourceLibrary`` and its ``directory``.

::

  <resourceLibrary name="my-lib" require="other-lib">
    <directory source="my-lib-files" include="my-lib.js my-lib.css"/>
  </resourceLibrary>

While the ZCML is parsed, the library's entry in ``library_info`` is
installed and its files are checked; when the configuration actions run
(after everything is parsed, so the order of declarations does not
matter) the dependencies are checked and the directory is registered as a
browser resource named after the library.
"""
import os

import zope.component
from zope.browserresource.directory import DirectoryResourceFactory
from zope.browserresource.metaconfigure import allowed_names
from zope.browserresource.metadirectives import IBasicResourceInformation
from zope.configuration.exceptions import ConfigurationError
from zope.configuration.fields import GlobalObject
from zope.configuration.fields import Path
from zope.configuration.fields import Tokens
from zope.interface import Interface
from zope.publisher.interfaces.browser import IBrowserRequest
from zope.publisher.interfaces.browser import IDefaultBrowserLayer
from zope.schema import TextLine
from zope.security.checker import CheckerPublic
from zope.security.checker import NamesChecker

from zc.resourcelibrary import core
from zc.resourcelibrary import resourcelibrary
from zc.resourcelibrary.core import INCLUDABLE_EXTENSIONS

__all__ = ['IResourceLibraryDirective', 'IDirectoryDirective',
           'ResourceLibrary', 'INCLUDABLE_EXTENSIONS']


class IResourceLibraryDirective(IBasicResourceInformation):
    """A library of JavaScript/CSS files that pages can need by name."""

    name = TextLine(
        title='The name of the resource library',
        description='Pages need the library by this name; it is also the '
                    'name of its files\' directory resource (@@/NAME/...).',
        required=True)

    require = Tokens(
        title='Dependencies',
        description='Names of the libraries whose tags must come first.',
        value_type=TextLine(),
        required=False)


class IDirectoryDirective(Interface):
    """The directory holding a library's files (at most one)."""

    source = Path(
        title='Source',
        description='The directory containing the files of the library.',
        required=True)

    include = Tokens(
        title='Files to be included on pages',
        description='Names of the files pages reference (.js, .css, '
                    '.kss), in the order of their tags.',
        value_type=TextLine(),
        required=False)

    factory = GlobalObject(
        title='Factory',
        description='Alternative directory-resource factory, called as '
                    'factory(source, checker, name).',
        required=False)


def _register(name, factory, layer, require, info):
    for dependency in require:
        if dependency not in resourcelibrary.library_info:
            raise ConfigurationError(
                f'Resource library "{name}" has unsatisfied dependency on '
                f'"{dependency}".')
    zope.component.getSiteManager().registerAdapter(
        factory, (layer,), Interface, name, info)


def _check_cycles(name):
    cycle = core.find_cycle(name)
    if cycle is not None:
        chain = ' -> '.join(f'"{n}"' for n in cycle)
        raise ConfigurationError(
            f'Resource library dependency cycle: {chain}.')


class ResourceLibrary:
    """Handler of ``<resourceLibrary>`` (a complex directive)."""

    def __init__(self, _context, name, require=(),
                 layer=IDefaultBrowserLayer, permission='zope.Public'):
        self.name = name
        self.layer = layer
        if permission == 'zope.Public':
            permission = CheckerPublic
        self.checker = NamesChecker(allowed_names, permission)
        self.old_library_info = resourcelibrary.library_info.get(name)
        info = resourcelibrary.LibraryInfo()
        info.required.extend(require)
        resourcelibrary.library_info[name] = info

    def directory(self, _context, source, include=(), factory=None):
        if not os.path.isdir(source):
            raise ConfigurationError(f'Directory {source!r} does not exist')
        for file in include:
            core.check_includable(file)
            # A factory of one's own may generate its files; the default
            # one serves what is on disk.
            if factory is None and not os.path.isfile(
                    os.path.join(source, file)):
                raise ConfigurationError(
                    f'Resource library "{self.name}": "{file}" does not '
                    f'exist in {source!r}')
        info = resourcelibrary.library_info[self.name]
        info.included.extend(include)
        info.directory = source
        if factory is None:
            factory = DirectoryResourceFactory
        factory = factory(source, self.checker, self.name)
        _context.action(
            discriminator=('resource', self.name, IBrowserRequest,
                           self.layer),
            callable=_register,
            args=(self.name, factory, self.layer, info.required,
                  _context.info))

    def __call__(self):
        new = resourcelibrary.library_info[self.name]
        old = self.old_library_info
        if old is not None and (old.included != new.included
                                or old.required != new.required):
            # The new entry stays installed; the original did the same.
            raise NotImplementedError(
                "Can't cope with 2 different registrations of the same "
                f"library: {self.name} ({old.required!r}, "
                f"{old.included!r}) ({new.required!r}, {new.included!r})")
        return [dict(discriminator=None, callable=_check_cycles,
                     args=(self.name,))]
