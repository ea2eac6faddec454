"""Invitation names are a name's characters and length (issue 16): the name is
emailed verbatim, so it must not carry a phishing line."""
from __future__ import annotations

import pytest

from grantflow.core.models import OutboxEmail
from grantflow.extensions import db
from grantflow.users.names import name_problem

PHISHING = "Sam. Your account is locked: call 555-0100 or visit https://evil.example/login"


@pytest.mark.parametrize("name, problem", [
    ("Rosa Díaz", None),
    ("María José O'Neil-Ng Jr.", None),
    ("Nguyễn Thị Minh Khai", None),
    ("Zoë d’Arc", None),
    ("李小龍", None),
    ("Ngāti Whātua", None),
    (PHISHING, "letters, spaces"),
    ("Rosa https://evil.example", "letters, spaces"),
    ("Rosa\nClick here", "control character"),
    ("Rosa <b>Diaz</b>", "letters, spaces"),
    ("Agent 007", "letters, spaces"),
    ("a" * 101, "at most 100"),
    ("Rosa   Diaz", "made of letters"),
    ("- . '", "made of letters"),
    ("   ", "Enter the person's name"),
])
def test_what_a_name_may_hold(name, problem):
    found = name_problem(name)
    assert (found is None) if problem is None else (problem in found), found


def test_an_admin_invitation_refuses_a_phishing_name_next_to_the_field(client, login_as, f):
    login_as(f.create_user("admin"))
    response = client.post("/admin/users/invite", data={"name": PHISHING, "email": "rosa@university.edu",
                                                        "roles": ["reviewer"]})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "letters, spaces, apostrophes" in page
    assert 'value="rosa@university.edu"' in page
    assert db.session.query(OutboxEmail).count() == 0


def test_a_colleague_invitation_refuses_a_phishing_name_next_to_the_field(client, login_as, f):
    login_as(f.create_applicant())
    response = client.post("/organisation/colleagues", data={"invite-name": PHISHING,
                                                            "invite-email": "sam@ames.gov"})
    assert response.status_code == 422 and "letters, spaces, apostrophes" in response.get_data(as_text=True)
    assert db.session.query(OutboxEmail).count() == 0


def test_the_command_line_refuses_it_too(runner):
    from grantflow.cli import cli

    result = runner.invoke(cli, ["users", "invite", "rosa@university.edu", "--name", PHISHING])
    assert result.exit_code != 0 and "letters, spaces" in result.output
