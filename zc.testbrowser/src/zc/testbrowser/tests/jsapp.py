"""Pages whose JavaScript builds and changes them, for the real browser."""
import base64
import hashlib

import webob

# Run by /strict (a page whose policy forbids eval) and /sri (which asks
# for this exact script by its digest).
READY_SCRIPT = b"""setTimeout(() => {
  document.getElementById('state').textContent = 'ready';
}, 100);
"""
READY_INTEGRITY = 'sha256-' + base64.b64encode(
    hashlib.sha256(READY_SCRIPT).digest()).decode('ascii')

PAGES = {
    '/built': """
<div id="slot"></div>
<script>
  document.getElementById('slot').innerHTML =
    '<a href="/target?from=script" id="made">Made by script</a>'
    + '<form action="/echo" method="post"><label>Tea <input name="tea"'
    + ' value="green"></label><input type="submit" value="Order"></form>';
</script>""",
    '/onclick': """
<p id="count">0</p>
<form action="/echo">
  <label>Amount <input name="amount" value="1"></label>
  <button type="button" id="more" name="more"
          onclick="document.getElementById('count').textContent++"
          >More</button>
  <button type="button" name="replace"
      onclick="document.forms[0].amount.outerHTML =
      '&lt;input name=amount value=' + 7 + '&gt;'">Replace</button>
  <button type="button" name="remove"
      onclick="document.forms[0].amount.remove()">Remove</button>
  <input type="submit" value="Send">
</form>
<a href="/target" onclick="this.textContent = 'Clicked'; return false">Stay</a>
<a href="#below">Below</a><p id="below">below</p>
""",
    '/go': """
<form>
<button type="button" name="go"
    onclick="location.href = '/target?from=onclick'">Go</button>
<button type="button" name="later"
    onclick="setTimeout(() => location.href = '/target?from=timer', 100)"
    >Later</button>
<select name="choice"
    onchange="location.href = '/target?from=' + this.value">
  <option>none</option><option>select</option>
</select>
</form>
<form action="/echo" method="post"
    onsubmit="this.elements.tea.value = this.elements.tea.value.toUpperCase()">
  <input name="tea" value="green"><input type="submit" value="Shout">
</form>""",
    '/dialogs': """
<p id="answer">unanswered</p>
<form>
<button type="button" name="alert" onclick="window.alert('Hello');
    document.getElementById('answer').textContent = 'after alert'"
    >Alert</button>
<button type="button" name="confirm"
    onclick="document.getElementById('answer').textContent =
      window.confirm('Sure?') ? 'confirmed' : 'cancelled'">Confirm</button>
<button type="button" name="prompt"
    onclick="document.getElementById('answer').textContent =
    window.prompt('Name?', 'Ada')">Prompt</button>
</form>""",
    '/upload': """
<form action="/echo" method="post" enctype="multipart/form-data">
  <label>Photo <input type="file" name="photo"></label>
  <input type="submit" value="Upload">
</form>""",
    '/cookies': """
<script>document.cookie = 'script=made; path=/';</script>
<p>cookies</p>""",
    '/image': """
<form action="/echo"><input type="image" name="map" src="/pixel"
  style="width: 40px; height: 30px"></form>""",
}


def application(environ, start_response):
    request = webob.Request(environ)
    path = request.path_info
    if path in PAGES:
        body = ('<!DOCTYPE html><html><head><title>' + path[1:]
                + '</title></head><body>' + PAGES[path] + '</body></html>')
        response = webob.Response(body, content_type='text/html',
                                  charset='utf-8')
    elif path == '/ready.js':
        response = webob.Response(READY_SCRIPT,
                                  content_type='text/javascript')
    elif path == '/strict':
        response = webob.Response(
            '<title>Strict</title><p id="state">waiting</p>'
            '<script src="/ready.js"></script>',
            content_type='text/html', charset='utf-8')
        response.headers['Content-Security-Policy'] = (
            "default-src 'self'; script-src 'self'")
    elif path == '/sri':
        # Absolute, from the Host header, as resource libraries write them.
        response = webob.Response(
            '<title>SRI</title><p id="state">waiting</p>'
            f'<script src="{request.host_url}/ready.js"'
            f' integrity="{READY_INTEGRITY}" crossorigin="anonymous">'
            '</script>', content_type='text/html', charset='utf-8')
    elif path == '/target':
        response = webob.Response(
            '<title>Target</title><p>from ' + request.GET.get('from', '')
            + '</p>', content_type='text/html', charset='utf-8')
    elif path == '/echo':
        fields = request.POST if request.method == 'POST' else request.GET
        lines = [f'{request.method} {request.path_info}']
        for name, value in fields.items():
            if hasattr(value, 'filename'):
                lines.append(f'{name}: file {value.filename!r} {value.type}'
                             f' {value.file.read()!r}')
            else:
                lines.append(f'{name}: {value!r}')
        lines.append('Cookie: ' + request.headers.get('Cookie', ''))
        response = webob.Response('\n'.join(lines), content_type='text/plain',
                                  charset='utf-8')
    elif path == '/set-cookie':
        response = webob.Response('<title>set</title>',
                                  content_type='text/html', charset='utf-8')
        response.set_cookie('server', 'sent')
    elif path == '/login':
        response = webob.Response(status=302, location='/echo?a=1')
        response.set_cookie('session', 'open')
    elif path == '/missing':
        response = webob.Response('<title>Missing</title>', status=404,
                                  content_type='text/html', charset='utf-8')
        response.headers.add('X-Shop', 'one')
        response.headers.add('X-Shop', 'two')
    else:
        response = webob.Response('', status=404)
    return response(environ, start_response)
