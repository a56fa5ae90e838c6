"""Install eggs and generate scripts: the ``eggs`` and ``scripts`` recipes."""
import copy
import logging
import os
import re
import sys

import zc.buildout
import zc.buildout.buildout
import zc.buildout.easy_install

# The attribute on the buildout object holding resolved working sets, so
# that parts with identical settings share one resolution per run.
_CACHE_ATTRIBUTE = '_zc_recipe_egg_working_set_cache'

# script=module.path:attr.path, nothing before or after.
_ENTRY_POINT = re.compile(r'([^=]+)=(\w+(?:[.]\w+)*):(\w+(?:[.]\w+)*)$')


def _lines(text):
    """Stripped, non-empty lines of an option value."""
    return [line.strip() for line in text.split('\n') if line.strip()]


def get_bool(options, name, default=False, *, part=None):
    """Read an optional ``true``/``false`` option.

    Missing or empty values give ``default``; anything else is a user error.
    """
    value = options.get(name)
    if not value:
        return default
    if value == 'true':
        return True
    if value == 'false':
        return False
    raise zc.buildout.UserError(
        f'Invalid value for {name} option: {value}'
        f'{_in_part(part or getattr(options, "name", None))}'
        '; expected true or false')


def links_and_index(buildout, options):
    """The part's find-links (a tuple) and index, defaulting to buildout's.

    Both are written back into ``options``, so that buildout reinstalls
    the part when they change.
    """
    b_options = buildout['buildout']
    links = tuple(options.get('find-links',
                              b_options.get('find-links', '')).split())
    if links:
        options['find-links'] = '\n'.join(links)
    index = options.get('index', b_options.get('index'))
    if index is not None:
        options['index'] = index
    return links, index


def _in_part(part):
    return f' in part [{part}]' if part else ''


class Eggs:
    """Install the distributions named in ``eggs`` (default: the part name).

    ``options`` may be a buildout ``Options`` object or a plain dict; the
    settings the recipe depends on are written back into it so that buildout
    reinstalls the part when they change.
    """

    def __init__(self, buildout, name, options):
        self.buildout = buildout
        self.name = name
        self.options = options
        b_options = buildout['buildout']
        self.links, self.index = links_and_index(buildout, options)

        # allow-hosts protects the whole buildout, so a part cannot widen it.
        self.allow_hosts = tuple(
            host.strip()
            for host in b_options.get('allow-hosts', '*').split('\n')
            if host.strip())

        options['eggs-directory'] = b_options['eggs-directory']
        options['_e'] = options['eggs-directory']  # legacy name
        options['develop-eggs-directory'] = b_options[
            'develop-eggs-directory']
        options['_d'] = options['develop-eggs-directory']  # legacy name

    def working_set(self, extra=()):
        """Resolve (and install) the eggs; return ``(requirements, ws)``.

        ``requirements`` are the ``eggs`` lines as written; ``extra`` names
        further distributions that join the working set only.
        """
        options = self.options
        b_options = self.buildout['buildout']
        # Legacy: older recipes read the interpreter from here.
        options['executable'] = sys.executable

        requirements = _lines(options.get('eggs', self.name))
        ws = self._working_set(
            requirements + list(extra),
            options['eggs-directory'],
            options['develop-eggs-directory'],
            offline=b_options.get('offline') == 'true',
            newest=b_options.get('newest') == 'true',
            links=self.links,
            index=self.index,
            allow_hosts=self.allow_hosts,
            allow_unknown_extras=zc.buildout.buildout.bool_option(
                b_options, 'allow-unknown-extras', 'false'),
        )
        return requirements, ws

    def _working_set(self, distributions, eggs_dir, develop_eggs_dir,
                     offline=False, newest=True, links=(), index=None,
                     allow_hosts=('*',), allow_unknown_extras=False):
        """Resolve ``distributions`` once per distinct setting per run.

        Each caller gets its own deep copy, so mutating the result never
        leaks into another part.
        """
        cache = getattr(self.buildout, _CACHE_ATTRIBUTE, None)
        if cache is None:
            cache = {}
            setattr(self.buildout, _CACHE_ATTRIBUTE, cache)
        key = (tuple(distributions), eggs_dir, develop_eggs_dir, offline,
               newest, tuple(links), index, tuple(allow_hosts),
               allow_unknown_extras)
        if key not in cache:
            if offline:
                ws = zc.buildout.easy_install.working_set(
                    distributions, sys.executable,
                    [develop_eggs_dir, eggs_dir])
            else:
                ws = zc.buildout.easy_install.install(
                    distributions, eggs_dir,
                    links=links,
                    index=index,
                    path=[develop_eggs_dir],
                    newest=newest,
                    allow_hosts=allow_hosts,
                    allow_unknown_extras=allow_unknown_extras)
            cache[key] = zc.buildout.easy_install.sort_working_set(
                ws, eggs_dir, develop_eggs_dir)
        return copy.deepcopy(cache[key])

    def install(self):
        """Install the eggs; nothing for buildout to remove later."""
        self.working_set()
        return ()

    update = install


class Scripts(Eggs):
    """Install eggs and generate their console scripts and an interpreter."""

    def __init__(self, buildout, name, options):
        super().__init__(buildout, name, options)
        b_options = buildout['buildout']
        options['bin-directory'] = b_options['bin-directory']
        options['_b'] = options['bin-directory']  # legacy name

        directory = b_options['directory']
        self.extra_paths = [
            os.path.join(directory, path)
            for path in _lines(options.get('extra-paths', ''))]
        if self.extra_paths:
            options['extra-paths'] = '\n'.join(self.extra_paths)

        relative_paths = options.get(
            'relative-paths', b_options.get('relative-paths', 'false'))
        if relative_paths == 'true':
            options['buildout-directory'] = directory
            self._relative_paths = directory
        elif relative_paths == 'false':
            self._relative_paths = ''
        else:
            raise zc.buildout.UserError(
                f'Invalid value for relative-paths option: {relative_paths}'
                f' in part [{name}]; expected true or false')

    def _entry_points(self):
        """Parse ``entry-points`` into ``(name, module, attrs)`` tuples."""
        parsed = []
        for token in self.options.get('entry-points', '').split():
            match = _ENTRY_POINT.match(token)
            if match is None:
                logging.getLogger(self.name).error(
                    'Cannot parse the entry point %s.', token)
                raise zc.buildout.UserError(
                    f'Invalid entry point {token!r} in the entry-points option'
                    f' of part [{self.name}]; expected name=module:attribute')
            parsed.append(match.groups())
        return parsed

    def install(self):
        """Install the eggs and write the scripts; return their paths."""
        options = self.options
        scripts = options.get('scripts')
        if scripts is not None and not scripts.strip():
            # Asked for no script at all: eggs only.
            self.working_set()
            return ()

        # Validate everything the user wrote before anything is resolved or
        # written, so that a typo leaves no half-built bin/ behind.
        entry_points = self._entry_points()
        dependent_scripts = get_bool(options, 'dependent-scripts',
                                     part=self.name)
        mapping = None
        if scripts is not None:
            mapping = {}
            for token in scripts.split():
                entry_name, _, file_name = token.partition('=')
                mapping[entry_name] = file_name or entry_name

        reqs, ws = self.working_set()
        reqs = reqs + entry_points
        if dependent_scripts:
            for dist in ws:
                if dist.project_name != 'setuptools' and (
                        dist.project_name not in reqs):
                    reqs.append(dist.project_name)

        return zc.buildout.easy_install.scripts(
            reqs, ws, sys.executable, options['bin-directory'],
            scripts=mapping,
            extra_paths=self.extra_paths,
            interpreter=options.get('interpreter'),
            initialization=options.get('initialization', ''),
            arguments=options.get('arguments', ''),
            relative_paths=self._relative_paths,
        )

    update = install


Egg = Scripts
