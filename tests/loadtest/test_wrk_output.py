"""Reading wrk's output: the figures that the Lua script's done() prints."""

import pytest

from scripts.loadtest import wrk

OUTPUT = """Running 10s test @ http://127.0.0.1:41234
  2 threads and 32 connections
  Latency Distribution
     50%   41.20ms
  6210 requests in 10.01s, 20.43MB read
  Non-2xx or 3xx responses: 12
Requests/sec:    620.38
LOADTEST {"requests": 6210, "duration_us": 10010000, "bytes": 21422899, "connect": 0, "read": 2, "write": 0, "status": 12, "timeout": 3, "p50_us": 41200, "p95_us": 148900, "p99_us": 201000, "max_us": 350000}
"""


def test_the_figures_are_read_from_the_lua_line():
    figures = wrk.parse(OUTPUT)
    assert figures["requests"] == 6210
    assert figures["rate"] == pytest.approx(620.38, abs=0.01)
    assert (figures["p50_ms"], figures["p95_ms"], figures["p99_ms"]) == (41.2, 148.9, 201.0)
    assert figures["non_2xx_3xx"] == 12
    assert figures["socket_errors"] == 5  # read errors and timeouts
    assert figures["kb_per_request"] == pytest.approx(21422899 / 1024 / 6210)


def test_an_output_without_the_line_is_an_error_that_shows_it():
    with pytest.raises(ValueError, match="unable to connect"):
        wrk.parse("unable to connect to 127.0.0.1:1 Connection refused\n")


def test_the_lua_script_is_shipped_with_its_done_line():
    script = wrk.SCRIPT.read_text()
    assert "function done(" in script and "LOADTEST" in script
