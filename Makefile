# planflow: two commands on a fresh clone (Debian 12).
#   make demo  - install everything, migrate, load demo data, serve (prints the URL)
#   make test  - install everything, run every test (starts its own PostgreSQL,
#                SMTP server and headless Chromium)
# Both run scripts/setup.sh first; it is idempotent and takes ~0 s once done.

.PHONY: setup demo test

PYTEST_ARGS ?=

setup:
	scripts/setup.sh

demo: setup
	mkdir -p instance
	.venv/bin/planflow db upgrade
	.venv/bin/planflow demo load
	.venv/bin/planflow serve

# -rfEs: summarise failures, errors and skips (a skipped test is a missing thing).
# Any non-zero pytest exit fails make, including 5 ("no tests collected"): an
# empty run must never look green. Screenshots of failed browser tests go to
# test-artifacts/ (gitignored); --durations keeps the run honest about its
# slowest tests (budget: the whole suite in ~30 min on 2 cores).
test: setup
	.venv/bin/pytest -q -rfEs -p no:cacheprovider \
		--durations=10 --output=test-artifacts --screenshot=only-on-failure \
		$(PYTEST_ARGS)
