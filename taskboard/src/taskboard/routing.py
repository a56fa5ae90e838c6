"""How the load balancer sorts requests: by project.

A project's pages all start with ``/p/<project>/``; that name is the
request class, so each worker learns the projects it serves often and the
load balancer keeps sending them there, where that project's objects are
already in the worker's ZODB cache.  Other pages have the class ``''``.
"""
from zc.resumelb.lb import re_classifier

project_classifier = re_classifier('PATH_INFO', r'^/p/(?P<class>[^/]+)/')
