"""Concurrent writers never lock (R80); foreign keys and failed transactions leave counts right."""

import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from school_tracker.audit import record_audit
from school_tracker.extensions import db
from school_tracker.models import AuditEntry, Pupil


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.mark.requirement("R80")
def test_concurrent_read_then_write_never_locks(app, make_school):
    school = make_school()
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def writer(n: int) -> None:
        with app.app_context():
            barrier.wait()
            for i in range(50):
                try:
                    seen = _count(AuditEntry)  # read first: the case that fails when deferred
                    record_audit(
                        None,
                        "concurrency_test",
                        "test",
                        seen,
                        school_id=school.id,
                        changes={"writer": n, "i": i},
                    )
                    db.session.commit()
                except OperationalError as error:
                    db.session.rollback()
                    errors.append(error)
            db.session.remove()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.app_context():
        assert _count(AuditEntry) == 400


@pytest.mark.requirement("R80")
def test_foreign_keys_are_enforced(app, make_school):
    with app.app_context():
        record_audit(None, "x", "test", school_id=987654)
        with pytest.raises(sa.exc.IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_pupil_counts_unaffected_by_failed_transaction(app, make_school):
    school = make_school()
    with app.app_context():
        db.session.add(
            Pupil(
                school_id=school.id,
                upn="bad",
                legal_surname="X",
                legal_forename="Y",
                date_of_birth=None,
                gender=None,
                year_group=None,
            )
        )
        with pytest.raises(sa.exc.SQLAlchemyError):
            db.session.commit()
        db.session.rollback()
        assert _count(Pupil) == 0
