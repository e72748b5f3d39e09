"""Several coaches upload at once: every analysis finishes, nothing is lost or shown to the wrong coach.

A small version of ``python -m squatlab.bench.web_load`` (which prints the figures for docs/web.md);
this test checks the outcome, not the speed.
"""

from __future__ import annotations

from harness import start_server

from squatlab.bench.web_load import run_load
from squatlab.demo import demo_clip


def test_concurrent_uploads_from_several_coaches_all_finish_unmixed(tmp_path):
    with start_server(tmp_path, f"sqlite:///{tmp_path / 'squatlab.db'}") as server:
        result = run_load(server.base_url, coaches=3, uploads=3, clip=demo_clip())
    assert [s.status for s in result.submissions] == ["done"] * 3
    assert len({s.job_id for s in result.submissions}) == 3
    assert result.problems == []
    assert result.latencies_ms  # pages were read while the worker ran
