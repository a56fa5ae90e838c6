"""A small web shop, the application the tutorial and the tests browse.

Plain WebOb; every page is written out in full so that the tests read
against HTML a reader can see.
"""
import html
import threading
import wsgiref.simple_server

import webob

LOGO = (b'GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!'
        b'\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00'
        b'\x00\x02\x02D\x01\x00;')

PAGES = {}


def page(path):
    def register(func):
        PAGES[path] = func
        return func
    return register


def html_page(body, title=None, charset='utf-8'):
    head = f'<title>{title}</title>' if title is not None else ''
    text = (f'<!DOCTYPE html>\n<html><head>{head}</head>\n<body>\n'
            f'{body}\n</body></html>\n')
    return webob.Response(text.encode(charset),
                          content_type='text/html', charset=charset)


@page('/')
def home(request):
    return html_page("""\
<h1>Welcome to the shop</h1>
<p><a href="/catalog">Browse the <em>catalog</em></a> or
<a href="/order">place an order</a>.</p>""", title='  The\n  Shop  ')


@page('/plain')
def plain(request):
    return html_page('<p>No title here.</p>')


@page('/logo.gif')
def logo(request):
    return webob.Response(LOGO, content_type='image/gif')


@page('/notes.txt')
def notes(request):
    return webob.Response('Opening hours: 9–17\n', content_type='text/plain',
                          charset='utf-8')


@page('/catalog')
def catalog(request):
    return html_page("""\
<ul>
  <li><a href="/item?name=Teapot" id="item.teapot">Teapot</a></li>
  <li><a href="/item?name=Cup">
        Cup   (with
        saucer)</a></li>
  <li><a href="/item?name=Kettle"><span>Kettle</span> <b>(steel)</b></a></li>
  <li><a href="/item?name=Teapot&amp;size=large">Teapot</a></li>
  <li><a name="anchor-without-href">Not a link</a></li>
  <li><a href="#reviews">Reviews</a></li>
  <li><a href="/item?name=Tea Cosy">Tea cosy</a></li>
</ul>
<map name="shelves">
  <area href="/item?name=Shelf" alt="Shelf" shape="rect" coords="0,0,9,9">
</map>
<h2 id="reviews">Reviews</h2>""", title='Catalog')


@page('/item')
def item(request):
    name = request.GET.get('name', '')
    referer = request.referer or '(none)'
    return html_page(
        f'<p>Item: {html.escape(name)}</p>\n<p>Referer: {referer}</p>',
        title=html.escape(name))


@page('/order')
def order(request):
    return html_page("""\
<form action="/echo" method="post" enctype="multipart/form-data" id="order">
  <label for="name">Your name</label>
  <input type="text" name="name" id="name" value="">
  <label>E-mail <input type="email" name="email" value=""></label>
  <label for="quantity">How many</label>
  <input type="number" name="quantity" id="quantity" value="1" min="1"
         max="10">
  <input type="hidden" name="token" value="s3cret">
  <label for="item">Item</label>
  <select name="item" id="item">
    <option value="teapot">Teapot</option>
    <option value="cup" selected>Cup</option>
    <option value="kettle" label="Kettle (steel)">Kettle</option>
  </select>
  <label for="extras">Extras</label>
  <select name="extras" id="extras" multiple>
    <option>Milk</option>
    <option>Sugar</option>
    <option disabled>Lemon</option>
  </select>
  <p>Delivery:
    <label><input type="radio" name="delivery" value="post" checked>
      By post</label>
    <label><input type="radio" name="delivery" value="courier">
      By courier</label>
  </p>
  <p>Wrapping:
    <label><input type="checkbox" name="wrap" value="paper"> Paper</label>
    <label><input type="checkbox" name="wrap" value="ribbon"> Ribbon</label>
  </p>
  <label><input type="checkbox" name="gift"> This is a gift</label>
  <label for="note">Note</label>
  <textarea name="note" id="note">
Please ring twice.
</textarea>
  <label for="card">Card design</label>
  <input type="file" name="card" id="card">
  <input type="text" name="coupon" value="NONE" readonly>
  <input type="text" name="legacy" value="old" disabled>
  <input type="submit" name="submit" value="Place order">
  <input type="image" name="quick" src="/logo.gif" alt="Quick order">
  <button type="submit" name="action" value="save">Save for later</button>
  <button type="reset" name="reset">Start again</button>
</form>
<p>
  <label for="comment">Comment</label>
  <input type="text" name="comment" id="comment" form="order"
         value="outside the form">
  <button form="order" formaction="/echo?via=button" formmethod="get"
          name="preview" value="yes">Preview</button>
</p>""", title='Order')


@page('/search')
def search(request):
    return html_page("""\
<form action="/echo?page=2" name="search">
  <input type="search" name="q" value="tea">
  <input type="submit" value="Search">
</form>
<form action="/echo" method="post" name="newsletter" id="newsletter">
  <label>E-mail <input type="email" name="q" value=""></label>
  <input type="submit" value="Subscribe">
</form>
<form action="/redirect?to=/thanks" method="post">
  <input type="text" name="q" value="feedback">
  <input type="submit" value="Send feedback">
</form>
<form action="/echo">
  <input type="text" name="plain" value="anonymous">
</form>""", title='Search')


@page('/signup')
def signup(request):
    return html_page("""\
<form action="/echo" method="post">
  <label>User name <input name="user" required pattern="[a-z]+"
                          maxlength="8"></label>
  <label>E-mail <input type="email" name="email" required></label>
  <label>Age <input type="number" name="age" min="18" max="120"></label>
  <label><input type="checkbox" name="terms" required> I agree</label>
  <input type="submit" value="Sign up">
  <input type="submit" value="Save draft" formnovalidate>
</form>""", title='Sign up')


@page('/quirks')
def quirks(request):
    return html_page("""\
<form action="/echo" method="post" enctype="multipart/form-data">
  <label for="odd">The Label
     Needs   Whitespace Normalization Badly</label>
  <input type="frobnicate" name="odd" id="odd" value="strange">
  <label for="stars">*[non word characters should not confuse]</label>
  <input name="stars" id="stars">
  <label for="two">First label</label>
  <label for="two">Second label</label>
  <input name="two" id="two">
  <label>Twin <input name="twin" value="a"></label>
  <label>Twin <input name="twin" value="b"></label>
  <label><input type="radio" name="size" value="same"> Small</label>
  <label><input type="radio" name="size" value="same"> Large</label>
  <label><input type="checkbox" name="off" value="x" disabled> Off</label>
  <label><input type="checkbox" name="inside" value="Inside"> Inside</label>
  <select name="flavour">
    <option value="1">Plain</option>
    <option value="2" label="Third">Second choice</option>
  </select>
  <label>Third way <input name="third"></label>
  <input type="hidden" name="secret" value="hidden value">
  <label>Photo <input type="file" name="photo"></label>
  <label>Receipt <input type="file" name="receipt"></label>
  <input type="submit" value="Send">
</form>
<form action="/echo">
  <input name="nameless" value="form">
</form>
<p><a href="/item?name=Nested"><span><b>Deeply</b> nested</span>
   link</a></p>""", title='Quirks')


@page('/latin1')
def latin1(request):
    return html_page("""\
<form action="/echo?raw=1" method="post">
  <label>Städt <input name="city" value="Zürich"></label>
  <input type="submit" value="Gö">
</form>""", title='Café', charset='iso-8859-1')


@page('/echo')
def echo(request):
    lines = [f'{request.method} {request.path_qs}']
    if request.content_type:
        lines.append(f'Content-Type: {request.content_type}')
    lines.append(f'Referer: {request.referer or "(none)"}')
    if 'raw' in request.GET:
        lines.append(f'body: {request.body!r}')
        fields = {}
    else:
        fields = request.POST if request.method == 'POST' else request.GET
    for name, value in fields.items():
        if hasattr(value, 'filename'):
            data = value.file.read()
            lines.append(f'{name}: file {value.filename!r}'
                         f' {value.type} {data!r}')
        else:
            lines.append(f'{name}: {value!r}')
    return webob.Response('\n'.join(lines) + '\n', content_type='text/plain',
                          charset='utf-8')


@page('/headers')
def headers(request):
    lines = [f'{name}: {value}' for name, value in sorted(
        request.headers.items()) if name not in ('Host', 'Content-Length')]
    return webob.Response('\n'.join(lines) + '\n', content_type='text/plain')


@page('/redirect')
def redirect(request):
    status = int(request.GET.get('status', '302'))
    response = webob.Response(status=status)
    response.location = request.GET.get('to', '/')
    return response


@page('/loop')
def loop(request):
    response = webob.Response(status=302)
    response.location = '/loop'
    return response


@page('/thanks')
def thanks(request):
    return html_page(f'<p>Thank you ({request.method}).</p>',
                     title='Thanks')


@page('/status')
def status(request):
    code = int(request.GET.get('code', '200'))
    response = html_page(f'<p>This is status {code}.</p>', title=str(code))
    response.status_int = code
    return response


@page('/boom')
def boom(request):
    raise ValueError('the kettle boiled over')


@page('/set-cookie')
def set_cookie(request):
    response = html_page('<p>Cookie set.</p>', title='Cookie')
    response.set_cookie(request.GET['name'], request.GET['value'],
                        path=request.GET.get('path', '/'))
    return response


@page('/cookies')
def cookies(request):
    return webob.Response(
        f'Cookie: {request.headers.get("Cookie", "(none)")}\n',
        content_type='text/plain')


def application(environ, start_response):
    """The shop, with Zope's error convention: errors become a 500 page
    unless the client asks to see them (wsgi.handleErrors False)."""
    request = webob.Request(environ)
    handler = PAGES.get(request.path_info)
    if handler is None:
        response = html_page(f'<p>No page at {html.escape(request.path)}'
                             '</p>', title='Not Found')
        response.status_int = 404
        return response(environ, start_response)
    try:
        response = handler(request)
    except Exception as error:
        if not environ.get('wsgi.handleErrors', True):
            raise
        response = html_page(f'<p>Error: {html.escape(str(error))}</p>',
                             title='Error')
        response.status_int = 500
    return response(environ, start_response)


class _QuietHandler(wsgiref.simple_server.WSGIRequestHandler):

    def log_message(self, format, *args):
        pass


class Server:
    """The shop served by wsgiref on 127.0.0.1, on a free port, in a thread."""

    def __init__(self, app=application):
        self.httpd = wsgiref.simple_server.make_server(
            '127.0.0.1', 0, app, handler_class=_QuietHandler)
        self.url = f'http://127.0.0.1:{self.httpd.server_port}'
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={'poll_interval': 0.05},
            daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(10)
        if self.thread.is_alive():
            raise RuntimeError('the test server did not stop in 10 s')
