"""Nothing typed is lost (users.kept): a post whose session or form token expired
comes back in its form for its owner only, bounded, never with a password."""
from __future__ import annotations

import pytest

from grantflow.extensions import db
from grantflow.organisations.models import Organisation
from grantflow.users import kept
from grantflow.users.models import KeptForm
from tests import factories
from tests.conftest import login

PROFILE = {"name": "City of Ames", "applicant_type": "C", "state": "IA", "population": "66,427",
           "uei": "j7m9 hptg j1s8", "ein": "426004643"}
SECRETS = {"password": "hunter2-secret", "confirm": "hunter2-secret", "_signin_password": "hunter2-secret",
           "code": "123456"}


@pytest.fixture
def csrf_on(app, monkeypatch):
    def switch(on: bool = True):
        monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", on)
    return switch


def _stale_post(client, path, data, **kwargs):
    return client.post(path, data={**data, "csrf_token": "stale"}, **kwargs)


def test_a_stale_post_comes_back_in_its_form_once_and_saves_with_a_fresh_token(client, f, login_as, csrf_on):
    login_as(f.create_user("applicant"))
    csrf_on()
    response = _stale_post(client, "/organisation/", PROFILE)
    assert response.status_code == 303 and response.headers["Location"] == "/organisation/"
    assert db.session.query(Organisation).count() == 0  # the stale post itself was not applied

    html = client.get("/organisation/").get_data(as_text=True)
    assert 'role="alert" id="kept-notice"' in html
    assert 'value="City of Ames"' in html and 'value="66,427"' in html
    assert db.session.query(KeptForm).count() == 0  # shown once, then forgotten
    assert "kept-notice" not in client.get("/organisation/").get_data(as_text=True)

    from tests.conftest import csrf_token_from

    client.post("/organisation/", data={**PROFILE, "csrf_token": csrf_token_from(html)})
    assert db.session.query(Organisation).filter_by(name="City of Ames").count() == 1


def test_another_account_on_the_same_browser_never_gets_them(client, f, login_as, csrf_on):
    first, second = f.create_user("applicant"), f.create_user("applicant")
    login_as(first)
    csrf_on()
    _stale_post(client, "/organisation/", {**PROFILE, "name": "Typed by the first person"})
    csrf_on(False)
    login_as(second)  # same client, so the same browser session and its kept token

    assert "Typed by the first person" not in client.get("/organisation/").get_data(as_text=True)
    row = db.session.query(KeptForm).one()
    assert row.user_id == first.id  # still there for its owner


def test_passwords_and_codes_are_never_kept_nor_echoed(client, app, f, login_as, csrf_on):
    login_as(f.create_user("applicant"))
    csrf_on()
    _stale_post(client, "/organisation/", {**PROFILE, **SECRETS})
    row = db.session.query(KeptForm).one()
    assert {name for name, _ in row.values}.isdisjoint(SECRETS)
    assert "hunter2" not in client.get("/organisation/").get_data(as_text=True)

    visitor = app.test_client()
    page = _stale_post(visitor, "/login", {"email": "someone@ames.gov", **SECRETS},
                       follow_redirects=True).get_data(as_text=True)
    assert 'value="someone@ames.gov"' in page and "hunter2" not in page and "123456" not in page


def test_a_visitors_form_comes_back_from_the_browsers_own_session_once(app, csrf_on):
    """Sign-in, registration and the like (@public): nobody to keep it for on the server."""
    csrf_on()
    visitor = app.test_client()
    response = _stale_post(visitor, "/register", {"name": "Ada Byron", "email": "ada@ames.gov",
                                                  "job_title": "Clerk"}, headers={"Referer": "http://localhost/register"})
    assert response.status_code == 303 and db.session.query(KeptForm).count() == 0
    page = visitor.get("/register").get_data(as_text=True)
    assert 'value="Ada Byron"' in page and 'value="Clerk"' in page and 'id="kept-notice"' in page
    assert "Ada Byron" not in visitor.get("/register").get_data(as_text=True)
    assert "Ada Byron" not in app.test_client().get("/register").get_data(as_text=True)  # another browser


def test_a_post_beyond_the_size_bound_is_shown_to_copy_not_stored(client, f, login_as, csrf_on):
    login_as(f.create_user("applicant"))
    csrf_on()
    huge = "x" * (kept.MAX_CHARS + 1)
    response = _stale_post(client, "/organisation/", {**PROFILE, "name": huge})
    assert response.status_code == 400 and huge in response.get_data(as_text=True)
    assert db.session.query(KeptForm).count() == 0


def test_only_the_latest_posts_of_an_account_are_kept(client, f, login_as, csrf_on):
    user = f.create_user("applicant")
    login_as(user)
    csrf_on()
    for number in range(kept.MAX_PER_USER + 2):
        _stale_post(client, "/organisation/", {**PROFILE, "name": f"Try {number}"})
    assert db.session.query(KeptForm).filter_by(user_id=user.id).count() == kept.MAX_PER_USER


def test_a_signed_out_post_signs_in_and_comes_back(client, f, login_as):
    user = f.create_user("applicant")
    login_as(user)
    user.end_all_sessions()  # the session ended (expired, or signed out elsewhere); its form token is still good
    db.session.commit()

    response = client.post("/organisation/", data={**PROFILE, "name": "Kept across sign-in"})
    page = response.get_data(as_text=True)
    assert response.status_code == 401 and "Sign in to keep what you typed" in page
    assert 'role="alert"' in page and "Kept across sign-in</textarea>" in page  # seen before signing in
    assert db.session.query(KeptForm).count() == 0  # nothing stored for an unknown person

    carried = {**PROFILE, "name": "Kept across sign-in", "_kept_page": "/organisation/",
               "_kept_action": "/organisation/", "_signin_email": user.email}
    wrong = client.post("/sign-in-to-keep", data={**carried, "_signin_password": "not it"})
    assert wrong.status_code == 422 and 'value="Kept across sign-in"' in wrong.get_data(as_text=True)

    right = client.post("/sign-in-to-keep", data={**carried, "_signin_password": factories.PASSWORD})
    assert right.status_code == 303 and right.headers["Location"] == "/organisation/"
    assert db.session.query(KeptForm).one().user_id == user.id
    html = client.get("/organisation/").get_data(as_text=True)
    assert 'value="Kept across sign-in"' in html and "kept-notice" in html


def test_the_sign_in_step_goes_back_only_to_this_site(client):
    response = client.post("/sign-in-to-keep", data={"_kept_page": "//evil.example/", "_kept_action": "/x",
                                                     "_signin_email": "a@b.gov", "_signin_password": "x"})
    assert response.status_code == 400


def test_a_chosen_file_is_named_as_not_kept(client, f, login_as, csrf_on):
    import io

    login_as(f.create_user("applicant"))
    csrf_on()
    client.post("/organisation/", data={**PROFILE, "csrf_token": "stale", "logo": (io.BytesIO(b"x"), "logo.png")},
                content_type="multipart/form-data")
    html = client.get("/organisation/").get_data(as_text=True)
    assert "Files cannot be kept" in html and "logo" in html


def test_signed_out_get_still_goes_to_the_sign_in_page(app):
    response = app.test_client().get("/organisation/")
    assert response.status_code == 302 and "/login?next=" in response.headers["Location"]


def test_a_form_on_another_page_is_found_through_the_referrer(client, f, login_as, csrf_on):
    """A post-only address (the colleague invitation) goes back to the page that showed its form."""
    user = f.create_user("applicant")
    user.organisation = f.create_organisation("City of Ames")
    login_as(user)
    csrf_on()
    response = _stale_post(client, "/organisation/colleagues", {"invite-name": "Ada Byron",
                                                                "invite-email": "ada@ames.gov"},
                           headers={"Referer": "http://localhost/organisation/"})
    assert response.status_code == 303 and response.headers["Location"] == "/organisation/"
    html = client.get("/organisation/").get_data(as_text=True)
    assert 'value="Ada Byron"' in html and 'value="ada@ames.gov"' in html


def test_a_staff_note_posted_from_the_application_page_comes_back_there(client, f, login_as, csrf_on):
    """A post-only address (the internal note) goes back to the page whose form posted it."""
    application = f.create_application(f.create_round(), f.create_organisation(), state="screening")
    login_as(f.create_user("admin"))
    csrf_on()
    page = f"/admin/applications/{application.id}"
    response = _stale_post(client, f"{page}/notes", {"text": "Called the city: budget letter coming."},
                           headers={"Referer": f"http://localhost{page}"})
    assert response.status_code == 303 and response.headers["Location"] == page
    html = client.get(page).get_data(as_text=True)
    assert "Called the city: budget letter coming.</textarea>" in html and 'id="kept-notice"' in html
