from __future__ import annotations

from ..core.forms import WebForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from . import names, passwords
from .models import ROLE_LABELS
from .zones import US_ZONES


def _password_policy(form, field):
    """NIST SP 800-63B rules (users.passwords). The account's address is the
    form's email field, or ``form.account_email`` set by the view (reset, invitation)."""
    email = form.email.data if hasattr(form, "email") else getattr(form, "account_email", None)
    problem = passwords.password_problem(field.data or "", email)
    if problem:
        raise ValidationError(problem)


def person_name(form, field):
    """An invited person's name (users.names): it is emailed to them verbatim."""
    problem = names.name_problem(field.data or "")
    if problem and field.data:
        raise ValidationError(problem)


PASSWORD_RULES = [DataRequired(message="Enter a password."), _password_policy]
PASSWORD_HINT = passwords.HINT


def _strip(value):
    """Pasted addresses often carry spaces; they are never part of an address."""
    return value.strip() if isinstance(value, str) else value


STRIP = [_strip]
EMAIL_RULES = [DataRequired(message="Enter your email address."),
               Email(message="Enter a valid email address, like name@city.gov.")]


class LoginForm(WebForm):
    email = EmailField("Email address", filters=STRIP,
                       validators=[DataRequired(message="Enter your email address."),
                                   Email(message="Enter a valid email address.")])
    password = PasswordField("Password", validators=[DataRequired(message="Enter your password.")])
    remember = BooleanField("Keep me signed in on this computer")


class RegisterForm(WebForm):
    name = StringField("Your full name", validators=[DataRequired(message="Enter your name."),
                                                     Length(max=200)])
    job_title = StringField("Job title", validators=[Length(max=200)],
                            description="For example: Director of International Affairs")
    email = EmailField("Work email address", filters=STRIP, validators=EMAIL_RULES)
    password = PasswordField("Password", validators=PASSWORD_RULES, description=PASSWORD_HINT)
    confirm = PasswordField("Repeat the password",
                            validators=[DataRequired(message="Repeat the password."),
                                        EqualTo("password", message="The two passwords do not match.")])


class ForgotPasswordForm(WebForm):
    email = EmailField("Email address", filters=STRIP, validators=EMAIL_RULES,
                       description="The address you use to sign in.")


class NewPasswordForm(WebForm):
    """Choosing a password from an emailed link (reset or invitation): the same
    rules as at registration."""

    def __init__(self, *args, account_email: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.account_email = account_email

    password = PasswordField("New password", validators=PASSWORD_RULES, description=PASSWORD_HINT)
    confirm = PasswordField("Repeat the new password",
                            validators=[DataRequired(message="Repeat the password."),
                                        EqualTo("password", message="The two passwords do not match.")])


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class InviteForm(WebForm):
    name = StringField("Full name", filters=STRIP, validators=[DataRequired(message="Enter the person's name."),
                                                               person_name])
    email = EmailField("Email address", filters=STRIP,
                       validators=[DataRequired(message="Enter the person's email address."),
                                   Email(message="Enter a valid email address, like name@agency.gov.")],
                       description="If this address already has an account, the roles are added to it.")
    roles = CheckboxesField("Roles", choices=[SelectChoice("reviewer", ROLE_LABELS["reviewer"]),
                                              SelectChoice("admin", ROLE_LABELS["admin"])],
                            validators=[DataRequired(message="Choose at least one role.")],
                            description="Reviewers score applications; fund administrators run the "
                                        "whole process.")


class CodeForm(WebForm):
    code = StringField("Code", filters=STRIP, validators=[DataRequired(message="Enter the code."), Length(max=20)],
                       description="The 6 digits your authenticator app shows, or a recovery code.")


class AccountForm(WebForm):
    name = StringField("Your full name", validators=[DataRequired(message="Enter your name."), Length(max=200)])
    job_title = StringField("Job title", validators=[Length(max=200)])
    timezone = SelectField(
        "Your time zone", choices=[SelectChoice(name, label) for name, label in
                     (("", "The round's time zone (for deadlines); UTC otherwise"), *US_ZONES)],
        validate_choice=False, description="Deadlines and other times are shown to you in this zone.")
