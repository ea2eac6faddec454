from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length
from wtforms.widgets import CheckboxInput, ListWidget

from .models import ROLE_LABELS

PASSWORD_RULES = [DataRequired(message="Enter a password."),
                  Length(min=10, max=200, message="Use at least 10 characters.")]
PASSWORD_HINT = "At least 10 characters."


def _strip(value):
    """Pasted addresses often carry spaces; they are never part of an address."""
    return value.strip() if isinstance(value, str) else value


STRIP = [_strip]
EMAIL_RULES = [DataRequired(message="Enter your email address."),
               Email(message="Enter a valid email address, like name@city.gov.")]


class LoginForm(FlaskForm):
    email = EmailField("Email address", filters=STRIP,
                       validators=[DataRequired(message="Enter your email address."),
                                   Email(message="Enter a valid email address.")])
    password = PasswordField("Password", validators=[DataRequired(message="Enter your password.")])
    remember = BooleanField("Keep me signed in on this computer")


class RegisterForm(FlaskForm):
    name = StringField("Your full name", validators=[DataRequired(message="Enter your name."),
                                                     Length(max=200)])
    job_title = StringField("Job title", validators=[Length(max=200)],
                            description="For example: Director of International Affairs")
    email = EmailField("Work email address", filters=STRIP, validators=EMAIL_RULES)
    password = PasswordField("Password", validators=PASSWORD_RULES, description=PASSWORD_HINT)
    confirm = PasswordField("Repeat the password",
                            validators=[DataRequired(message="Repeat the password."),
                                        EqualTo("password", message="The two passwords do not match.")])


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email address", filters=STRIP, validators=EMAIL_RULES,
                       description="The address you use to sign in.")


class NewPasswordForm(FlaskForm):
    """Choosing a password from an emailed link (reset or invitation): the same
    rules as at registration."""

    password = PasswordField("New password", validators=PASSWORD_RULES, description=PASSWORD_HINT)
    confirm = PasswordField("Repeat the new password",
                            validators=[DataRequired(message="Repeat the password."),
                                        EqualTo("password", message="The two passwords do not match.")])


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class InviteForm(FlaskForm):
    name = StringField("Full name", filters=STRIP, validators=[DataRequired(message="Enter the person's name."),
                                                Length(max=200)])
    email = EmailField("Email address", filters=STRIP,
                       validators=[DataRequired(message="Enter the person's email address."),
                                   Email(message="Enter a valid email address, like name@agency.gov.")],
                       description="If this address already has an account, the roles are added to it.")
    roles = CheckboxesField("Roles", choices=[SelectChoice("reviewer", ROLE_LABELS["reviewer"]),
                                              SelectChoice("admin", ROLE_LABELS["admin"])],
                            validators=[DataRequired(message="Choose at least one role.")],
                            description="Reviewers score applications; fund administrators run the "
                                        "whole process.")
