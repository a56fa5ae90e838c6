"""Where an installed distribution's importable code, and so its tests, lives."""
import json
import os
import urllib.parse
import urllib.request


def _editable_project_root(dist):
    """The local project directory of an editable install, else None."""
    text = dist.read_text('direct_url.json')
    if text is None:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    dir_info = data.get('dir_info')
    if not isinstance(dir_info, dict) or not dir_info.get('editable'):
        return None
    url = data.get('url')
    if not isinstance(url, str):
        return None
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme != 'file':
        return None
    return urllib.request.url2pathname(parsed.path)


def _pth_paths(dist):
    """Directories named by the ``.pth`` files a distribution installed."""
    paths = []
    for file in dist.files or ():
        if not file.name.endswith('.pth'):
            continue
        pth = os.path.abspath(dist.locate_file(file))
        try:
            with open(pth, encoding='utf-8') as f:
                lines = f.read().splitlines()
        except OSError:
            continue
        for line in lines:
            line = line.strip()
            if not line or line.startswith(('#', 'import ')):
                continue
            paths.append(os.path.abspath(
                os.path.join(os.path.dirname(pth), line)))
    return paths


def _dist_locations(dist):
    """Where a distribution's importable code (and so its tests) lives."""
    root = _editable_project_root(dist)
    if root is None:
        return [os.path.abspath(str(dist.locate_file('')))]
    return _pth_paths(dist) or [root]
