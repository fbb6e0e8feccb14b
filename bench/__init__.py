"""`make bench`: docs/design.md section 12's speed targets measured on the trust-scale demo dataset.

Lives outside tests/, so pytest never collects it; run it with
`.venv/bin/python -m bench.run` (PostgreSQL too when BENCH_DATABASE_URL is set).
"""
