"""Reading: streaming the 300 real dev doodles from their 18 simplified ndjson files."""

from core.strokes import ReadReport, iter_ndjson
from tests.conftest import REAL_DEV


def test_iter_ndjson_300_real_drawings(benchmark):
    """Median time to stream all 18 files (300 drawings); drawings/s = 300 / median."""
    files = sorted((REAL_DEV / "simplified").glob("*.ndjson"))

    def run():
        report = ReadReport()
        n = sum(1 for f in files for _ in iter_ndjson(f, report=report))
        return n, report.bad

    n, bad = benchmark(run)
    assert (n, bad) == (300, 0)
    benchmark.extra_info["drawings"] = n
