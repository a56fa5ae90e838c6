"""Start cost of zc.thread.Thread/Process against the plain stdlib classes.

Prints one line: microseconds per start-and-join for each, and the ratio
(zc.thread / plain; 1.00 means no overhead).
"""
import multiprocessing
import threading
import time

import zc.thread

THREADS = 2000
PROCESSES = 40


def nothing():
    pass


def plain_thread():
    thread = threading.Thread(target=nothing)
    thread.daemon = True
    thread.start()
    thread.join()


def zc_thread():
    zc.thread.Thread(nothing).join()


def plain_process(context):
    process = context.Process(target=nothing)
    process.daemon = True
    process.start()
    process.join()


def zc_process(context):
    zc.thread.Process(nothing, context=context).join()


def per_call_us(func, count, *args):
    func(*args)  # warm up
    best = float('inf')
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(count):
            func(*args)
        best = min(best, (time.perf_counter() - start) / count)
    return best * 1e6


def main():
    context = multiprocessing.get_context('fork')
    figures = {
        'thread': (per_call_us(plain_thread, THREADS),
                   per_call_us(zc_thread, THREADS)),
        'process(fork)': (per_call_us(plain_process, PROCESSES, context),
                          per_call_us(zc_process, PROCESSES, context)),
    }
    print('zc.thread start+join: ' + '; '.join(
        f'{what} plain {plain:.0f} us, zc {ours:.0f} us, ratio {ours / plain:.2f}'
        for what, (plain, ours) in figures.items()))


if __name__ == '__main__':
    main()
