"""``rlb-nagios``: a Nagios plugin checking a load balancer's status."""
import argparse
import sys
import time

from zc.resumelb.status import read_status

OK, WARNING, CRITICAL, UNKNOWN = 0, 1, 2, 3


def main(args=None):
    """Check the status socket; print one line; return the exit status."""
    parser = argparse.ArgumentParser(
        prog='rlb-nagios',
        description='Nagios check of a resumelb status socket.')
    parser.add_argument('socket', metavar='SOCKET',
                        help='status socket of a load balancer (its -s)')
    for short, long_, what in (
            ('-b', 'worker-mean-backlog-warn',
             'warn when the mean backlog reaches N'),
            ('-B', 'worker-mean-backlog-error',
             'critical when the mean backlog reaches N'),
            ('-x', 'worker-max-backlog-warn',
             "warn when a worker's backlog reaches N"),
            ('-X', 'worker-max-backlog-error',
             "critical when a worker's backlog reaches N"),
            ('-a', 'worker-request-age-warn',
             'warn when a request has waited N seconds for its worker'),
            ('-A', 'worker-request-age-error',
             'critical when a request has waited N seconds for its'
             ' worker'),
            ('-w', 'minimum-worker-warn',
             'warn when there are N workers or fewer'),
            ('-W', 'minimum-worker-error',
             'critical when there are N workers or fewer')):
        parser.add_argument(short, '--' + long_, type=int, metavar='N',
                            help=what)
    parser.add_argument('-m', '--metrics', action='store_true',
                        help='append performance data for graphing')
    options = parser.parse_args(args)
    thresholds = [options.worker_mean_backlog_warn,
                  options.worker_mean_backlog_error,
                  options.worker_max_backlog_warn,
                  options.worker_max_backlog_error,
                  options.worker_request_age_warn,
                  options.worker_request_age_error,
                  options.minimum_worker_warn,
                  options.minimum_worker_error]
    if not options.metrics and all(t is None for t in thresholds):
        print('You need to request metrics and/or alert settings')
        return UNKNOWN
    try:
        status = read_status(options.socket)
    except Exception as error:
        print(f'UNKNOWN could not read {options.socket}: {error}')
        return UNKNOWN

    workers = status['workers']
    nworkers = len(workers)
    mean = status['mean_backlog'] or 0
    max_backlog = max((w[1] for w in workers), default=0)
    now = time.time()
    max_age = max((now - w[3] for w in workers if w[3] is not None),
                  default=0)

    severity = OK
    messages = []

    def check(value, warn, error, message, reverse=False):
        nonlocal severity

        def hit(threshold):
            if threshold is None:
                return False
            return value <= threshold if reverse else value >= threshold
        if hit(error):
            severity = CRITICAL
        elif hit(warn):
            severity = max(severity, WARNING)
        else:
            return
        messages.append(message)

    check(mean, options.worker_mean_backlog_warn,
          options.worker_mean_backlog_error, f'mean backlog high ({mean})')
    check(max_backlog, options.worker_max_backlog_warn,
          options.worker_max_backlog_error,
          f'max backlog high ({max_backlog})')
    check(max_age, options.worker_request_age_warn,
          options.worker_request_age_error,
          f'max age too high ({max_age:.1f})')
    check(nworkers, options.minimum_worker_warn,
          options.minimum_worker_error, f'too few workers ({nworkers})',
          reverse=True)
    if messages:
        line = ' '.join(messages)
    else:
        line = f'OK {nworkers} {mean} {max_backlog} {round(max_age)}'
    if options.metrics:
        line += (f'|workers={nworkers} mean_backlog={mean}'
                 f' max_backlog={max_backlog} max_age={max_age:.1f}seconds')
    print(line)
    return severity


if __name__ == '__main__':
    sys.exit(main())
