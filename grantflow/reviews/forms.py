"""WTForms classes of the review domain.

A review form class is built per rubric version with ``type()`` (Indico's
way) and cached; a shared class is never changed, so two rubrics can never
leak fields into each other's forms."""
from __future__ import annotations

from ..core.forms import WebForm
from wtforms import (
    BooleanField, DateTimeLocalField, DecimalField, IntegerField, RadioField, SelectField, SelectMultipleField,
    TextAreaField, ValidationError, widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from .scoring import ReviewInput
from .rubrics import Rubric

COMMENT_MAX = 5000


def _score(value):
    if value in (None, "", "None"):
        return None
    return int(value)


class ScoreField(RadioField):
    """A radio group whose empty answer is allowed (a draft) but whose
    answer, when given, must be one of the scale's levels."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, coerce=_score, validate_choice=False, **kwargs)

    def pre_validate(self, form):
        if self.data is not None and self.data not in {choice.value for choice in self.choices}:
            raise ValidationError("Choose one of the levels of the scale.")


class ReviewFormBase(WebForm):
    rubric: Rubric  # set on each generated subclass

    overall_comment = TextAreaField(
        "Overall comment", validators=[Optional(), Length(max=COMMENT_MAX)],
        description="Strengths, weaknesses and any conditions you would attach to an award.")

    def review_input(self) -> ReviewInput:
        return ReviewInput(
            scores={c.id: self[f"score_{c.id}"].data for c in self.rubric.criteria},
            comments={c.id: self[f"comment_{c.id}"].data or "" for c in self.rubric.criteria},
            recommendation=self.recommendation.data or None,
            overall_comment=self.overall_comment.data or "",
        )

    def attach_problems(self, problems: dict[str, str]) -> None:
        for name, message in problems.items():
            self[name].errors = list(self[name].errors) + [message]

    @staticmethod
    def data_from(review) -> dict:
        if review is None:
            return {}
        data = {f"score_{cid}": value for cid, value in (review.scores or {}).items()}
        data.update({f"comment_{cid}": text for cid, text in (review.comments or {}).items()})
        data.update(recommendation=review.recommendation, overall_comment=review.overall_comment)
        return data


_CLASSES: dict[Rubric, type[ReviewFormBase]] = {}


def review_form_class(rubric: Rubric) -> type[ReviewFormBase]:
    if rubric not in _CLASSES:
        attrs: dict = {"rubric": rubric}
        for criterion in rubric.criteria:
            attrs[f"score_{criterion.id}"] = ScoreField(
                criterion.label, description=criterion.guidance,
                choices=[SelectChoice(value, f"{value} · {name}: {descriptor}")
                         for value, name, descriptor in criterion.levels])
            attrs[f"comment_{criterion.id}"] = TextAreaField(
                f"Comment on “{criterion.label}”", validators=[Optional(), Length(max=COMMENT_MAX)],
                description=f"Required for a score below {criterion.comment_required_below}.")
        attrs["recommendation"] = RadioField("Your recommendation",
                                             choices=[SelectChoice(i, label) for i, label in rubric.recommendations],
                                             validate_choice=True, validators=[Optional()])
        name = f"ReviewForm_{rubric.key}_v{rubric.version}"
        _CLASSES[rubric] = type(name, (ReviewFormBase,), attrs)
    return _CLASSES[rubric]


class ConflictForm(WebForm):
    has_conflict = RadioField(
        "Do you have a conflict of interest with this application?",
        choices=[SelectChoice("no", "No: I have no conflict of interest with this applicant or its partners"),
                 SelectChoice("yes", "Yes: I have a conflict of interest and must not review it")],
        validators=[InputRequired(message="Choose yes or no.")])
    reason = TextAreaField(
        "If yes, what is the conflict?", validators=[Optional(), Length(max=2000)],
        description="For example: you work for, advise or recently worked with the applicant or a partner; "
                    "a family member is involved. Administrators see this; the applicant does not.")


class DeclineForm(WebForm):
    reason = TextAreaField("Why are you declining? (optional)", validators=[Optional(), Length(max=2000)])


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ProfileForm(WebForm):
    expertise_themes = MultiCheckboxField("Your areas of expertise", choices=[], validate_choice=True,
                                          description="You are matched to applications on these themes.")
    conflicted_states = MultiCheckboxField(
        "States and territories you have a conflict with", choices=[], validate_choice=True,
        description="You will never be assigned applications from these places (for example where you work "
                    "for the government or advise it).")
    conflicted_organisation_ids = SelectMultipleField(
        "Applicant organizations you have a conflict with", choices=[], coerce=int, validate_choice=True,
        description="Hold Ctrl (Cmd on a Mac) to choose several.")
    conflict_notes = TextAreaField("Other conflicts or notes for the administrators",
                                   validators=[Optional(), Length(max=2000)])


class AdminProfileForm(ProfileForm):
    max_applications_per_round = IntegerField(
        "Most applications per round", validators=[InputRequired(message="Enter a number."),
                                                   NumberRange(min=0, max=500, message="Enter 0 to 500.")],
        description="0 keeps this reviewer out of automatic assignment.")


class AssignForm(WebForm):
    fair = BooleanField("Fair mode: lift the worst-matched application first (slower)")
    # set by the "save anyway" button shown when places would stay empty
    allow_partial = BooleanField("Save even if some places stay empty")


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class AddReviewerForm(WebForm):
    reviewer_id = SelectField("Reviewer", coerce=_optional_int, choices=[], validate_choice=True,
                              validators=[InputRequired(message="Choose a reviewer.")])


class RemoveReviewerForm(WebForm):
    reason = TextAreaField("Reason (optional)", validators=[Optional(), Length(max=2000)])


class RoundReviewSettingsForm(WebForm):
    rubric_key = SelectField("Rubric", choices=[], validate_choice=True,
                             description="New reviews use the latest version of this rubric (forms/rubrics/).")
    reviews_per_application = IntegerField(
        "Reviewers per application", validators=[InputRequired(message="Enter a number."),
                                                  NumberRange(min=1, max=10, message="Enter 1 to 10.")])
    review_due_at = DateTimeLocalField(
        "Reviews due (UTC)", format="%Y-%m-%dT%H:%M", validators=[Optional()],
        description="Reviewers can change their reviews until then. Leave empty for no deadline.")
    is_blind_review = BooleanField("Blind review: hide the applicants' identity from reviewers",
                                   description="A rubric can also ask for blind review; the stricter setting wins.")
    disagreement_threshold = DecimalField(
        "Flag disagreement at (points apart, 0-100)", places=0,
        validators=[InputRequired(message="Enter a number."),
                    NumberRange(min=1, max=100, message="Enter 1 to 100.")])
