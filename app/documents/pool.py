"""A small pool of pre-started, resource-limited processes that parse untrusted files.

Starting an interpreter and importing the PDF and image libraries took about a second per
upload. The pool keeps a few workers (``app.documents.worker``) warm instead. The threat
model is unchanged: a hostile file only ever reaches a worker process, which applies its
own limits (address space, file size, CPU seconds per job) before reading any job, and:

- a worker that dies, exceeds a limit or misses the wall-clock deadline is killed and
  replaced; the job that was running is refused (``WorkerFailed``), never retried;
- a worker serves at most ``max_jobs`` jobs and is then replaced, so no parser state or
  fragmented heap lives long;
- request threads check workers out and back in under one lock; at most ``size`` files
  are parsed at once, and a request waits at most ``queue_timeout`` for a free worker;
- ``close`` stops every worker (app shutdown, interpreter exit); the pool stays usable and
  starts workers again on demand.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any


class WorkerFailed(Exception):
    """The worker died, broke the protocol or ran out of time; it has been replaced."""


class _NeverStarted(WorkerFailed):
    """The worker was gone before it read the job: the job is not at fault."""


class PoolBusy(Exception):
    """No worker became free within the queue timeout."""


@dataclass(frozen=True)
class WorkerCommand:
    argv: Sequence[str]
    env: dict[str, str]
    cwd: Path


class _Worker:
    def __init__(self, command: WorkerCommand, generation: int) -> None:
        self.generation = generation
        self.jobs = 0
        self._buffer = b""
        self.proc = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            list(command.argv), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, env=command.env, cwd=str(command.cwd),
        )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def ask(self, request: dict[str, Any], timeout: float) -> dict[str, Any]:
        self.jobs += 1
        stdin = self._pipe(self.proc.stdin)
        try:
            stdin.write(json.dumps(request).encode() + b"\n")
            stdin.flush()
        except OSError as exc:  # died while idle (broken pipe)
            raise _NeverStarted("the worker is gone") from exc
        line = self._read_line(time.monotonic() + timeout)
        try:
            reply = json.loads(line)
        except ValueError:
            raise WorkerFailed("the worker broke the protocol") from None
        if not isinstance(reply, dict):
            raise WorkerFailed("the worker broke the protocol")
        return reply

    def _read_line(self, deadline: float) -> bytes:
        fd = self._pipe(self.proc.stdout).fileno()
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                raise WorkerFailed("the worker timed out")
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                raise WorkerFailed("the worker died")
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line

    @staticmethod
    def _pipe(pipe: IO[bytes] | None) -> IO[bytes]:
        assert pipe is not None  # Popen was given PIPE
        return pipe

    def stop(self, grace: float = 2.0) -> None:
        """End of input asks the worker to exit; one that does not is killed."""
        try:
            self._pipe(self.proc.stdin).close()
        except OSError:
            pass
        try:
            self.proc.wait(grace)
        except subprocess.TimeoutExpired:
            self.kill()
        self._close_pipes()

    def kill(self) -> None:
        if self.alive():
            self.proc.kill()
        self.proc.wait()
        self._close_pipes()

    def _close_pipes(self) -> None:
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None:
                try:
                    pipe.close()
                except OSError:
                    pass


class WorkerPool:
    def __init__(self, command: WorkerCommand, *, size: int, max_jobs: int, timeout: float,
                 queue_timeout: float) -> None:
        self.command = command
        self.size = size
        self.max_jobs = max_jobs
        self.timeout = timeout
        self.queue_timeout = queue_timeout
        self._cond = threading.Condition()
        self._idle: list[_Worker] = []
        self._busy: set[_Worker] = set()
        self._starting = 0
        self._generation = 0
        self._holders = 0

    def run(self, request: dict[str, Any], *, queue_timeout: float | None = None
            ) -> dict[str, Any]:
        """Send one job to a free worker and return its reply; ``queue_timeout`` overrides
        the pool's wait for a free worker.

        Raises ``WorkerFailed`` (the worker is replaced) or ``PoolBusy``. A worker found
        gone before it read the job is replaced and the job sent again, once."""
        try:
            return self._run_once(request, queue_timeout)
        except _NeverStarted:
            return self._run_once(request, queue_timeout)

    def _run_once(self, request: dict[str, Any], queue_timeout: float | None
                  ) -> dict[str, Any]:
        worker = self._checkout(self.queue_timeout if queue_timeout is None else queue_timeout)
        reusable = False
        try:
            reply = worker.ask(request, self.timeout)
            reusable = not reply.get("retire")  # it exits after a MemoryError
            return reply
        finally:
            self._checkin(worker, reusable)

    def _checkout(self, queue_timeout: float) -> _Worker:
        deadline = time.monotonic() + queue_timeout
        dead: list[_Worker] = []
        try:
            with self._cond:
                while True:
                    while self._idle:
                        worker = self._idle.pop()
                        if worker.alive():
                            self._busy.add(worker)
                            return worker
                        dead.append(worker)  # died while idle: replace it, the job is not at fault
                    if len(self._busy) + self._starting < self.size:
                        self._starting += 1
                        generation = self._generation
                        break
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise PoolBusy("no inspection worker became free")
                    self._cond.wait(remaining)
        finally:
            for worker in dead:
                worker.kill()
        try:
            worker = _Worker(self.command, generation)
        finally:
            with self._cond:
                self._starting -= 1
                self._cond.notify()
        with self._cond:
            self._busy.add(worker)
        return worker

    def _checkin(self, worker: _Worker, reusable: bool) -> None:
        with self._cond:
            self._busy.discard(worker)
            keep = (reusable and worker.jobs < self.max_jobs
                    and worker.generation == self._generation)
            if keep:
                self._idle.append(worker)
            self._cond.notify()
        if not keep and reusable:
            worker.stop()  # recycled after its last job, or the pool was closed
        elif not keep:
            worker.kill()

    def close(self) -> None:
        """Stop every worker; busy ones stop when their job ends. New jobs start new ones."""
        with self._cond:
            self._generation += 1
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.stop()

    def hold(self) -> None:
        """One more user (an app between start-up and shutdown) keeps the workers."""
        with self._cond:
            self._holders += 1

    def release(self) -> None:
        """The last user to leave stops the workers."""
        with self._cond:
            self._holders = max(0, self._holders - 1)
            last = self._holders == 0
        if last:
            self.close()

    def pids(self) -> dict[str, list[int]]:
        """Process ids of the idle and busy workers (operations and tests)."""
        with self._cond:
            return {"idle": [w.pid for w in self._idle], "busy": [w.pid for w in self._busy]}
