"""Roll imports ask for a fresh sign-in (R15) and are rate-limited per hour (R77)."""

import io

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from school_tracker.models import Pupil, Role, RollImport
from tests.conftest import PASSWORD
from tests.factories.accounts import age_sign_in, sent_to_confirm
from tests.factories.imports import roll_csv
from tests.factories.rows import count_rows


def _upload(client, data: bytes):
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), filename="roll.csv")})
    return client.post(
        "/imports/", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


# --- R15: bulk import and the audit page need a fresh sign-in --------------------------------


@pytest.mark.requirement("R15")
def test_r15_a_stale_session_cannot_open_or_upload_to_the_import_page(app, client, login_as):
    login_as(Role.ADMIN)
    age_sign_in(client)
    assert sent_to_confirm(client.get("/imports/"))
    assert sent_to_confirm(_upload(client, roll_csv(2)))
    assert count_rows(app, RollImport) == 0
    client.post("/account/confirm", data={"current": PASSWORD})
    assert _upload(client, roll_csv(2)).status_code == 302
    assert count_rows(app, RollImport) == 1


@pytest.mark.requirement("R15")
def test_r15_a_stale_session_cannot_confirm_an_import(app, client, login_as):
    admin = login_as(Role.ADMIN)
    preview = _upload(client, roll_csv(3))
    assert preview.status_code == 302
    import_id = preview.headers["Location"].rsplit("/", 1)[-1]
    age_sign_in(client)
    assert sent_to_confirm(client.post(f"/imports/{import_id}/confirm"))
    assert count_rows(app, Pupil, Pupil.school_id == admin.school_id) == 0
    client.post("/account/confirm", data={"current": PASSWORD})
    assert client.post(f"/imports/{import_id}/confirm").status_code == 302
    assert count_rows(app, Pupil, Pupil.school_id == admin.school_id) == 3


# --- R77: search and roll upload are rate-limited per person ----------------------------------


def _friendly_429(response) -> bool:
    body = response.get_data(as_text=True)
    return response.status_code == 429 and "Too many attempts" in body and "reference" in body


class TestUploadLimit:
    @pytest.fixture
    def app_config_overrides(self):
        return {"IMPORT_LIMIT": "2 per hour"}

    @pytest.mark.requirement("R77")
    def test_r77_the_third_upload_in_an_hour_gets_the_friendly_429(self, app, client, login_as):
        login_as(Role.ADMIN)
        responses = [_upload(client, roll_csv(1, start=n)) for n in (1, 2, 3)]
        assert [r.status_code for r in responses[:2]] == [302, 302]
        assert _friendly_429(responses[2])
        assert count_rows(app, RollImport) == 2
