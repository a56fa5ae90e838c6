"""zc.resumelb: a résumé-based load balancer for WSGI applications.

``zc.resumelb.worker.Worker`` serves an application to load balancers;
``zc.resumelb.lb.LB`` accepts HTTP and routes each request by class.
"""
