"""Peak RSS growth of the trust-year named export, measured in a fresh process.

`python -m bench.memory URL TERM_KEY` prints {"growth": bytes, "seconds": s}.
A fresh interpreter makes the baseline honest: in the bench's own process, memory freed by
earlier steps would hide the export's growth.
"""

import json
import sys
import time
from tempfile import TemporaryFile

import sqlalchemy as sa

from bench.dataset import bench_app
from bench.measure import RssPeak
from school_tracker.extensions import db
from school_tracker.models import School


def main(url: str, term_key: str) -> None:
    """Export every school for the academic year of `term_key`; print the peak growth."""
    from school_tracker.reports.named.export import export_named_records

    app = bench_app(url)
    with app.app_context():
        schools = list(db.session.scalars(sa.select(School).order_by(School.id)))
        with RssPeak() as rss, TemporaryFile() as out:
            started = time.perf_counter()
            export_named_records(schools, term_key, True, by=None, out=out)
            seconds = time.perf_counter() - started
        db.session.rollback()
    print(json.dumps({"growth": rss.growth, "seconds": seconds}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
