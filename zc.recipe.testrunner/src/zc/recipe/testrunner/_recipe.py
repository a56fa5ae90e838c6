"""The recipe: a zope.testrunner script over the test suites of some eggs."""
import importlib.metadata
import os
import sys

import zc.buildout
import zc.buildout.easy_install
import zc.recipe.egg
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from zc.recipe.testrunner._locations import _dist_locations


class TestRunner:
    """Generate ``bin/<script>`` running zope.testrunner over ``eggs``.

    Only the named eggs are tested; their dependencies (and zope.testrunner,
    which always joins the working set) are merely importable.
    """

    def __init__(self, buildout, name, options):
        self.buildout = buildout
        self.name = name
        self.options = options
        options['script'] = os.path.join(
            buildout['buildout']['bin-directory'],
            options.get('script', name))
        if not options.get('working-directory', ''):
            options['location'] = os.path.join(
                buildout['buildout']['parts-directory'], name)
        self.egg = zc.recipe.egg.Egg(buildout, name, options)

    def install(self):
        """Write the script; return it and the created working directory."""
        options = self.options
        eggs, ws = self.egg.working_set(('zope.testrunner',))

        locations = {}
        for dist in importlib.metadata.distributions(path=list(ws.entries)):
            name = dist.metadata['Name']
            if not name:
                continue
            locations.setdefault(canonicalize_name(name),
                                 _dist_locations(dist))

        test_paths = []
        for spec in eggs:
            key = canonicalize_name(Requirement(spec).name)
            if key not in locations:
                raise ValueError(
                    f'Requirement not found in working set: {spec}')
            test_paths.extend(locations[key])

        # The test paths go onto sys.path too: an editable install may
        # expose its code only through an import hook.
        extra_paths = self.egg.extra_paths + test_paths

        defaults = options.get('defaults', '').strip()
        if defaults:
            defaults = f'({defaults}) + '

        # Read before anything is created: a missing section is a user error.
        environment_lines = ''
        environment = options.get('environment')
        if environment:
            for key, value in self.buildout[environment].items():
                environment_lines += f'os.environ[{key!r}] = {value!r}\n'

        created = []
        working_directory = options.get('working-directory', '')
        if not working_directory:
            working_directory = options['location']
            if os.path.exists(working_directory):
                assert os.path.isdir(working_directory), working_directory
            else:
                os.mkdir(working_directory)
            created.append(working_directory)
        working_directory = os.path.abspath(working_directory)

        base = self.egg._relative_paths
        if base:
            wd_expr = _relativize(base, working_directory)
            path_exprs = [_relativize(base, path) for path in test_paths]
        else:
            wd_expr = repr(working_directory)
            path_exprs = [repr(path) for path in test_paths]

        initialization = (
            'import os\n'
            'sys.argv[0] = os.path.abspath(sys.argv[0])\n'
            f'os.chdir({wd_expr})\n')
        initialization += environment_lines
        initialization += options.get('initialization', '').strip()

        arguments = defaults + '[\n' + ''.join(
            f"        '--test-path', {expr},\n" for expr in path_exprs
        ) + '        ]'

        return created + zc.buildout.easy_install.scripts(
            [(options['script'], 'zope.testrunner', 'run')],
            ws, options['executable'], options['bin-directory'],
            extra_paths=extra_paths,
            arguments=arguments,
            initialization=initialization,
            relative_paths=base,
        )

    update = install


def _relativize(base, path):
    """A Python expression for ``path``, relative to ``base`` if inside."""
    prefix = base + os.sep
    if sys.platform == 'win32':
        inside = path.lower().startswith(prefix.lower())
    else:
        inside = path.startswith(prefix)
    if inside:
        return f'join(base, {path[len(prefix):]!r})'
    return repr(path)
