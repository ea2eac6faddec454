"""All email goes through here: stored in the outbox always, sent by SMTP
when MAIL_SERVER is configured (after the commit, in a job)."""
from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app, render_template

from ..extensions import db
from . import jobs
from .db import utcnow
from .models import OutboxEmail


def send_email(recipient: str, template: str, **context) -> OutboxEmail:
    """Render ``templates/emails/<template>.txt`` (first line ``Subject: ...``)
    and queue it. Never commits; nothing is sent if the transaction rolls back."""
    rendered = render_template(f"emails/{template}.txt", **context)
    first, _, body = rendered.lstrip().partition("\n")
    subject = first.removeprefix("Subject:").strip() if first.startswith("Subject:") else template
    email = OutboxEmail(recipient=recipient, subject=subject, body_text=body.strip() + "\n",
                        template=template)
    db.session.add(email)
    db.session.flush()
    if current_app.config.get("MAIL_SERVER"):
        jobs.enqueue("grantflow.core.mail.deliver", email_id=email.id)
    return email


def deliver(job, email_id: int) -> dict:
    email = db.session.get(OutboxEmail, email_id)
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = email.recipient
    message["Subject"] = email.subject
    message.set_content(email.body_text)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)
    email.sent_at = utcnow()
    return {"sent_to": email.recipient}
