"""Reading a load balancer's status socket (``resumelb -s PATH``)."""
import json
import socket

import gevent.socket


def read_status(path, timeout=10):
    """Connect to the Unix socket at ``path`` and return the status dict.

    A gevent socket: usable from scripts and from inside a gevent program
    alike (the status server may run in the same process).
    """
    with gevent.socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(path)
        data = b''
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    return json.loads(data)
