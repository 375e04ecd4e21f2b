"""Concurrent mixed public traffic against one web node (issue 16 §2): `make loadtest`, or
`.venv/bin/python -m scripts.loadtest --help`. wrk (Debian's package) sends the requests."""
