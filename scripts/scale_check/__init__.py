"""Scale-out proven on one machine (issue 15 §6): two web nodes and two workers on one
PostgreSQL database, one Redis and one media directory. Run `make scale-check`, or
`.venv/bin/python -m scripts.scale_check --help`."""
