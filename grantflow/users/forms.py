from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

PASSWORD_RULES = [DataRequired(message="Enter a password."),
                  Length(min=10, max=200, message="Use at least 10 characters.")]


class LoginForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired(message="Enter your email address."),
                                                    Email(message="Enter a valid email address.")])
    password = PasswordField("Password", validators=[DataRequired(message="Enter your password.")])
    remember = BooleanField("Keep me signed in on this computer")


class RegisterForm(FlaskForm):
    name = StringField("Your full name", validators=[DataRequired(message="Enter your name."),
                                                     Length(max=200)])
    job_title = StringField("Job title", validators=[Length(max=200)],
                            description="For example: Director of International Affairs")
    email = EmailField("Work email address",
                       validators=[DataRequired(message="Enter your email address."),
                                   Email(message="Enter a valid email address, like name@city.gov.")])
    password = PasswordField("Password", validators=PASSWORD_RULES,
                             description="At least 10 characters.")
    confirm = PasswordField("Repeat the password",
                            validators=[DataRequired(message="Repeat the password."),
                                        EqualTo("password", message="The two passwords do not match.")])
