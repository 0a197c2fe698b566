"""Measuring a download: rows a second, time to the first byte and the memory it took.

Used by hand from the shell and by `make bench`. measure_export() reads a download through
Django's test client, in this process; measure_export_over_http() reads it from a running server
(gunicorn, say) as a browser would. Both read a CSV in the chunks the server sends and keep none
of it, so the memory figures are the server's. An Excel file is kept (its size is `bytes`, a
tenth or so of the CSV's) to count its rows at the end.

    >>> from django.test import Client
    >>> client = Client(); client.force_login(user)
    >>> measure_export("/risks/export.csv?status=all", client)
    {'rows': 100000, 'seconds': ..., 'rows_per_s': ..., 'first_byte_ms': ..., ...}
"""

import contextlib
import io
import threading
import time
import urllib.request
import zipfile

import psutil

CSV_LINE_END = b"\r\n"


class _PeakMemory:
    """Sample the resident memory of some processes (this one by default) every few
    milliseconds, keeping the highest total."""

    def __init__(self, pids=None, interval=0.005):
        self.processes = [psutil.Process(pid) for pid in pids or [None]]
        self.interval = interval
        self.start = self.peak = self._rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _rss(self):
        total = 0
        for process in self.processes:
            with contextlib.suppress(psutil.NoSuchProcess):
                total += process.memory_info().rss
        return total

    def _sample(self):
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, self._rss())

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())


class _Reader:
    """Take in a download chunk by chunk, counting CSV records and keeping an Excel file."""

    def __init__(self, kind):
        self.kind = kind
        self.size = 0
        self.line_ends = 0
        self.last_byte = b""
        self.parts = []

    def take(self, chunk):
        self.size += len(chunk)
        if self.kind == "xlsx":
            self.parts.append(chunk)
            return
        # The exports end each record with csv's CR LF, which may be split between chunks.
        self.line_ends += chunk.count(CSV_LINE_END)
        if self.last_byte == b"\r" and chunk[:1] == b"\n":
            self.line_ends += 1
        self.last_byte = chunk[-1:]

    @property
    def rows(self):
        """Data rows, without the heading row."""
        if self.kind == "xlsx":
            with zipfile.ZipFile(io.BytesIO(b"".join(self.parts))) as workbook:
                sheet = next(n for n in workbook.namelist() if n.startswith("xl/worksheets/"))
                return workbook.read(sheet).count(b"<row ") - 1
        # Text inside a cell never holds CR LF in the benchmark data, so line ends are records.
        return self.line_ends - 1


def _kind(url):
    return "xlsx" if url.split("?")[0].endswith(".xlsx") else "csv"


def _figures(reader, started, first_byte, finished, memory, cpu):
    seconds = finished - started
    rows = reader.rows
    return {
        "rows": rows,
        "seconds": round(seconds, 3),
        "rows_per_s": round(rows / seconds) if seconds else 0,
        "first_byte_ms": round((first_byte - started) * 1000, 1),
        "bytes": reader.size,
        # This process's processor time: steadier than seconds on a busy machine.
        "cpu_seconds": round(cpu, 3),
        "start_rss_mb": round(memory.start / 2**20, 1),
        "peak_rss_mb": round(memory.peak / 2**20, 1),
        "rss_growth_mb": round((memory.peak - memory.start) / 2**20, 1),
    }


def measure_export(url, client, **get_kwargs) -> dict:
    """Download url with a signed-in Django test client and report how fast it came.

    Returns rows, seconds, rows_per_s, first_byte_ms (the first chunk of a streamed response,
    or the whole body of one that is not streamed), bytes and the process's peak resident
    memory (peak_rss_mb, and rss_growth_mb over what it was at the start).
    """
    reader = _Reader(_kind(url))
    with _PeakMemory() as memory:
        started = time.perf_counter()
        cpu_started = time.process_time()
        response = client.get(url, **get_kwargs)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        first_byte = None
        chunks = response.streaming_content if response.streaming else [response.content]
        for chunk in chunks:
            if first_byte is None:
                first_byte = time.perf_counter()
            reader.take(chunk)
        # The test client closes the response itself once its content has been read.
        finished = time.perf_counter()
        cpu = time.process_time() - cpu_started
    return _figures(reader, started, first_byte or finished, finished, memory, cpu)


def measure_export_over_http(
    url, *, cookies="", server_pids=None, chunk_size=65536, timeout=300
) -> dict:
    """Download url from a running server, as a browser would, and report how fast it came.

    cookies is a Cookie header (such as "sessionid=..."). server_pids are the server's
    processes (gunicorn's workers) whose memory to watch; without them the figures are this
    process's own, which mean little here.
    """
    reader = _Reader(_kind(url))
    request = urllib.request.Request(url, headers={"Cookie": cookies} if cookies else {})  # noqa: S310
    with _PeakMemory(server_pids) as memory:
        started = time.perf_counter()
        cpu_started = time.process_time()
        first_byte = None
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            while chunk := response.read1(chunk_size):
                if first_byte is None:
                    first_byte = time.perf_counter()
                reader.take(chunk)
        finished = time.perf_counter()
        cpu = time.process_time() - cpu_started
    return _figures(reader, started, first_byte or finished, finished, memory, cpu)
