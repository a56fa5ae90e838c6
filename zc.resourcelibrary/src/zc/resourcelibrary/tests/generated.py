"""A directory-resource factory whose file is generated, not on disk."""
from zope.interface import implementer
from zope.publisher.interfaces.browser import IBrowserPublisher


@implementer(IBrowserPublisher)
class GeneratedScript:
    """The file ``name`` of the library: today's greeting, as JavaScript."""

    def __init__(self, library, request):
        self.library = library
        self.request = request

    def __call__(self):
        # The URL pages reference.
        base = self.request.getApplicationURL()
        return f'{base}/@@/{self.library.name}/greeting.js'

    def browserDefault(self, request):
        return self.GET, ()

    def publishTraverse(self, request, name):
        raise LookupError(name)

    def GET(self):
        self.request.response.setHeader('Content-Type', 'text/javascript')
        return 'var greeting = "hello from generated code";'


@implementer(IBrowserPublisher)
class GeneratedLibrary:
    """What the factory makes for a request: a traversable library."""

    def __init__(self, name, request):
        self.name = name
        self.request = request

    def __getitem__(self, file):
        if file != 'greeting.js':
            raise KeyError(file)
        return GeneratedScript(self, self.request)

    def publishTraverse(self, request, name):
        return self[name]

    def browserDefault(self, request):
        return self, ()


def factory(source, checker, name):
    """Called like zope.browserresource's DirectoryResourceFactory."""
    return lambda request: GeneratedLibrary(name, request)
