"""`make bench`: docs/design.md section 12's speed targets measured on the trust-scale demo dataset.

Not collected by pytest (no module here starts with `test_`); run it with
`.venv/bin/python -m tests.benchmarks.run` (PostgreSQL too when BENCH_DATABASE_URL is set).
"""
