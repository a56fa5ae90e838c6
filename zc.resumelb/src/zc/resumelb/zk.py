"""Tools for load balancers run with ZooKeeper: ``get-lb-status``.

The ZooKeeper runners themselves (``zkresumelb`` and the ``zk`` server
runner) are not part of this release.
"""
import argparse
import time

from zc.resumelb.status import read_status


def get_lb_status(args=None):
    """``get-lb-status SOCKET ...``: print load balancers' backlogs."""
    parser = argparse.ArgumentParser(
        prog='get-lb-status',
        description='Print the status of load balancers (resumelb -s).')
    parser.add_argument('sockets', nargs='+', metavar='SOCKET')
    options = parser.parse_args(args)
    for path in options.sockets:
        print(f'status for {path}')
        status = read_status(path)
        workers = status['workers']
        if not workers:
            print('This load-balancer has no workers!')
            continue
        mean = status['mean_backlog'] or 0
        print(f"  backlog: {status['backlog']}, mean backlog: {mean:.1f}")
        print(f'  workers: {len(workers)},'
              f' mean backlog per worker: {mean / len(workers):.1f}')
        print()
        print('%30s%8s%8s%8s' % ('worker', 'backlog', 'mean bl', 'age'))
        now = time.time()
        for name, backlog, mbacklog, oldest in sorted(workers):
            age = '-' if oldest is None else f'{now - oldest:.1f}'
            print('%30s%8s%8s%8s' % (name, backlog, f'{mbacklog:.1f}', age))
