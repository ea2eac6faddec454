"""``grantflow users``: the first administrator of a new installation, and the rest."""
from __future__ import annotations

from sqlalchemy import select

from grantflow.cli import cli as grantflow_cli
from grantflow.core.models import AuditEvent
from grantflow.extensions import db
from grantflow.users import operations

from tests.users.helpers import emails_to


def test_invite_the_first_admin_prints_a_working_link(runner, client):
    result = runner.invoke(grantflow_cli, args=["users", "invite", "chief@state.gov", "--name", "Chief Admin"])
    assert result.exit_code == 0, result.output
    assert "Invited chief@state.gov as Fund administrator" in result.output and "7 days" in result.output
    link = result.output.strip().splitlines()[-1]
    assert link.startswith("http://127.0.0.1:5000/invitation/")
    assert "The fund's administrators have invited you" in emails_to("chief@state.gov")[0].body_text

    path = link.removeprefix("http://127.0.0.1:5000")
    password = "chief admin passphrase"
    assert client.post(path, data={"password": password, "confirm": password}).status_code == 302
    assert client.get("/admin/users").status_code == 200
    invited = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.invited"))
    assert invited.actor_id is None and invited.data == {"roles": ["admin"]}


def test_invite_an_existing_account_adds_roles(runner, f):
    f.create_user("applicant", email="both@city.gov")
    db.session.commit()
    result = runner.invoke(grantflow_cli, args=["users", "invite", "both@city.gov", "--name", "X", "--role", "reviewer"])
    assert result.exit_code == 0 and "added Reviewer" in result.output
    db.session.expire_all()
    assert operations.find_user_by_email("both@city.gov").roles == {"applicant", "reviewer"}


def test_invite_refuses_an_unknown_role(runner):
    result = runner.invoke(grantflow_cli, args=["users", "invite", "x@city.gov", "--name", "X", "--role", "applicant"])
    assert result.exit_code != 0 and "Invalid value for '--role'" in result.output


def test_list_deactivate_and_reactivate(runner, f):
    f.create_user("reviewer", email="rev@uni.edu", name="Rev Iewer")
    db.session.commit()
    assert "rev@uni.edu\tRev Iewer\treviewer\tactive" in runner.invoke(grantflow_cli, args=["users", "list"]).output

    assert "rev@uni.edu is deactivated." in runner.invoke(grantflow_cli, args=["users", "deactivate", "rev@uni.edu"]).output
    assert "already deactivated" in runner.invoke(grantflow_cli, args=["users", "deactivate", "REV@uni.edu"]).output
    assert "\tdeactivated" in runner.invoke(grantflow_cli, args=["users", "list"]).output
    assert "is reactivated" in runner.invoke(grantflow_cli, args=["users", "reactivate", "rev@uni.edu"]).output
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["user.deactivated", "user.reactivated"]

    result = runner.invoke(grantflow_cli, args=["users", "deactivate", "nobody@uni.edu"])
    assert result.exit_code != 0 and "No account with the email address nobody@uni.edu" in result.output
