"""A message to a round's applicants: write it, choose who (every application
of the round, or those in chosen states), preview the recipients (how many,
which organizations and people), then send. The send is rate-limited per
sender (``core.limits.bulk_email``); a preview costs nothing."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from ..core import limits, round_pages
from ..core.forms import WebForm
from ..core.policy import allows, load
from ..core.refusal import REFUSED, Refused, refuse_on
from ..users.forms import CheckboxesField
from .round_messages import SUBJECT_MAX, TEXT_MAX, message_round_applicants, recipients, state_choices
from .views import bp

round_pages.register("Message applicants", "staff.round_message", order=70,
                     description="Email every applicant of the round, or those in chosen states; kept on "
                                 "each application's page, where they can reply.")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class RoundMessageForm(WebForm):
    states = CheckboxesField("Only applications in these states",
                             description="Tick none to write to every applicant of the round.")
    subject = StringField("Subject", filters=[_strip],
                          validators=[DataRequired(message="Write a subject."),
                                      Length(max=SUBJECT_MAX, message=f"Keep the subject under {SUBJECT_MAX} "
                                                                      "characters.")])
    text = TextAreaField("Message", filters=[_strip],
                         validators=[DataRequired(message="Write the message."),
                                     Length(max=TEXT_MAX, message=f"Keep the message under {TEXT_MAX:,} "
                                                                  "characters.")],
                         description="Each person of the applying organizations gets it by email once; it is also "
                                     "kept on each application's page as a message from the fund, where the "
                                     f"applicant can reply. Up to {TEXT_MAX:,} characters.")
    #: the recipients the sender previewed (``Recipients.digest``)
    previewed = HiddenField()


@bp.route("/admin/rounds/<int:round_id>/message", methods=["GET", "POST"])
@allows("manage", "round")
@limits.bulk_email("action", "send")
def round_message(round_id: int):
    round_ = load("round", round_id, "manage")
    form = RoundMessageForm()
    form.states.choices = [SelectChoice(name, label) for name, label in state_choices(round_)]
    preview, status = None, 200
    if request.method == "POST":
        if not form.validate():
            status = REFUSED
        elif request.form.get("action") == "send" and form.previewed.data:
            try:
                sent = message_round_applicants(round_, current_user, subject=form.subject.data, text=form.text.data,
                                                states=form.states.data or (), previewed=form.previewed.data)
            except Refused as exc:
                refuse_on(form, exc, "text")
                status = REFUSED
            else:
                g.setdefault(limits.BULK_EMAIL_SENT, True)
                flash(f"Your message is sent to {len(sent.people)} "
                      f"{'person' if len(sent.people) == 1 else 'people'} and kept on {len(sent.applications)} "
                      f"application{'' if len(sent.applications) == 1 else 's'}.", "success")
                return redirect(url_for("staff.round", round_id=round_.id))
        preview = recipients(round_, form.states.data or ())
        form.previewed.data = preview.digest
    labels = dict(state_choices(round_))
    return render_template("staff/round_message.html", round=round_, form=form, preview=preview,
                           state_labels=labels), status
