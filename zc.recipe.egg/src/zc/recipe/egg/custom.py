"""Build eggs and develop installs with custom ``build_ext`` settings."""
import logging
import os
import sys

import zc.buildout
import zc.buildout.easy_install

from zc.recipe.egg.egg import links_and_index

# rpath entries starting with these are expanded by the dynamic linker at
# load time and must not be turned into buildout paths.
_RPATH_SPECIALS = ('$ORIGIN', '$LIB', '$PLATFORM',
                   '${ORIGIN}', '${LIB}', '${PLATFORM}')

_VERBATIM = ('define', 'undef', 'libraries', 'link-objects', 'debug',
             'force', 'compiler', 'swig-cpp', 'swig-opts')


def _path_list(options, name, directory, keep=()):
    """Join a newline-separated directory list with ``os.pathsep``.

    Relative entries are taken relative to the buildout directory; entries
    starting with one of ``keep`` are left alone.  The result is written
    back into ``options``.
    """
    paths = []
    for line in options[name].split('\n'):
        line = line.strip()
        if not line:
            continue
        if not line.startswith(keep or ('\0',)):
            line = os.path.join(directory, line)
        paths.append(line)
    value = os.pathsep.join(paths)
    options[name] = value
    return value


class Base:
    """What Custom and Develop share: the ``build_ext`` settings."""

    def __init__(self, buildout, name, options):
        self.buildout = buildout
        self.name = name
        self.options = options
        options['_d'] = buildout['buildout']['develop-eggs-directory']
        directory = buildout['buildout']['directory']

        build_ext = {}
        for key in ('include-dirs', 'library-dirs'):
            if key in options:
                build_ext[key] = _path_list(options, key, directory)
        if 'rpath' in options:
            build_ext['rpath'] = _path_list(
                options, 'rpath', directory, _RPATH_SPECIALS)
        if 'swig' in options:
            options['swig'] = os.path.join(directory, options['swig'])
            build_ext['swig'] = options['swig']
        for key in _VERBATIM:
            if key in options:
                build_ext[key] = options[key]
        self.build_ext = build_ext


class Custom(Base):
    """Build one distribution from source into the develop-eggs directory."""

    def __init__(self, buildout, name, options):
        super().__init__(buildout, name, options)
        b_options = buildout['buildout']
        self.links, self.index = links_and_index(buildout, options)

        environment_section = options.get('environment')
        if environment_section:
            self.environment = dict(buildout[environment_section])
        else:
            self.environment = {}
        # Recorded so that changing a variable triggers a rebuild.
        options['_environment-data'] = repr(
            sorted(self.environment.items()))

        options['_e'] = b_options['eggs-directory']
        self.offline = b_options.get('offline') == 'true'
        self.newest = b_options.get('newest') == 'true'

    def install(self):
        """Build the egg; return the locations the engine created."""
        if self.offline:
            return ()
        options = self.options
        spec = options.get('egg')
        if spec is None:
            spec = options.get('eggs')
            if spec is None:
                spec = self.name
            else:
                logging.getLogger(self.name).warning(
                    'The eggs option is deprecated. Use egg instead')
        spec = spec.strip()

        saved = self._set_environment()
        try:
            return zc.buildout.easy_install.build(
                spec, options['_d'], self.build_ext,
                self.links, self.index, sys.executable,
                [options['_e']], newest=self.newest)
        finally:
            self._restore_environment(saved)

    update = install

    def _set_environment(self):
        saved = {}
        for key, value in self.environment.items():
            saved[key] = os.environ.get(key)
            # %(PATH)s and friends extend the caller's environment.
            os.environ[key] = value % os.environ
        return saved

    def _restore_environment(self, saved):
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


class Develop(Base):
    """Make a develop install of a local project with custom build_ext."""

    def __init__(self, buildout, name, options):
        super().__init__(buildout, name, options)
        # Options['setup'] raises buildout's MissingOption when absent.
        options['setup'] = os.path.join(
            buildout['buildout']['directory'], options['setup'])

    def install(self):
        """Redo the develop install; return the engine's egg-link path."""
        options = self.options
        return zc.buildout.easy_install.develop(
            options['setup'], options['_d'], self.build_ext)

    update = install
