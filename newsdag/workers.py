"""Worker processes for the stages that split into independent tasks (files
to parse, TF-IDF's chunks of documents, the neighbour search's time chunks,
the sentence idf's batches, the pair comparisons' stretches).

One way to run them: :func:`in_workers` hands tasks to spawned processes and
gives the results back in task order, whatever order they finish in, so a
stage's output never depends on the number of workers or on timing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator


def in_workers(fn: Callable, tasks: Iterable, workers: int, what: str,
               initializer: Callable | None = None, initargs: tuple = ()) -> Iterator:
    """``fn(task)`` for each of ``tasks``, in ``workers`` spawned processes,
    yielded in task order.

    ``fn`` and ``initializer`` must be module-level functions (they travel by
    name); ``initargs`` go to each process once, for what every task shares.
    At most two tasks per worker are in flight, so memory holds a few tasks'
    inputs and results, not all of them; ``tasks`` may be a generator.
    ``what`` names the work in the error raised when a worker dies (out of
    memory, killed): a RuntimeError saying so. On any other exception, or when
    the caller stops early, pending tasks are cancelled and only the running
    ones are waited for.
    """
    import multiprocessing
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    context = multiprocessing.get_context("spawn")  # not a fork of a process that may hold Dagster's threads
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=initializer,
                             initargs=initargs) as pool:
        pending: deque = deque()
        try:
            for task in tasks:
                pending.append(pool.submit(fn, task))
                if len(pending) >= 2 * workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        except BrokenProcessPool as error:
            raise RuntimeError(
                f"a worker process {what} stopped before it answered ({error}); its own error, "
                "if it had time to print one, is above. Killed by the system, it most likely ran out of "
                "memory: run with fewer workers (NEWSDAG_WORKERS)") from error
        except BaseException:
            for future in pending:
                future.cancel()
            raise
