"""Run service calls in threads released at the same instant, each on its own database connection."""

import threading

from django.db import connection


def at_the_same_moment(calls, expected: tuple[type[BaseException], ...] = ()):
    """Return each call's result, or the `expected` exception it raised; any other exception fails the test."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)
    leaks = []

    def run(index, call):
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except expected as error:
            results[index] = error
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            leaks.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a call never finished"
    assert leaks == [], f"exceptions leaked out of the service: {leaks!r}"
    return results
