"""The eligibility screen: before the long form, check what the fund can
accept (the applicant type, the amount and the period) and explain plainly
when it cannot."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..core import formdefs
from ..organisations.models import APPLICANT_TYPES


@dataclass
class Verdict:
    #: the applicant type is not accepted: nothing to fix in the answers
    type_reason: str | None = None
    #: answers that make the project ineligible (or are missing), per field
    problems: list = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        return self.type_reason is None and not self.problems


def applicant_type_reason(definition, organisation) -> str | None:
    accepted = definition.eligibility.applicant_types if definition.eligibility else ()
    if not accepted or organisation.applicant_type in accepted:
        return None
    names = ", ".join(APPLICANT_TYPES.get(letter, letter).lower() for letter in accepted)
    return (f"This fund accepts applications from these types of government: {names}. Your organization "
            f"profile says you are a {organisation.applicant_type_label.lower()}. If that is wrong, "
            "correct your profile and come back.")


def check(definition, answers: dict, round_, organisation) -> Verdict:
    """Required eligibility questions and the rules that only involve them
    (amount within the round's range, period within its limit)."""
    verdict = Verdict(type_reason=applicant_type_reason(definition, organisation))
    screen = {f.id for f in definition.eligibility_fields()}
    context = {"round": round_, "organisation": organisation}
    for fdef in definition.eligibility_fields():
        if formdefs.is_empty(answers.get(fdef.id)):
            page = definition.page_of(fdef.id)
            verdict.problems.append(formdefs.Problem(page.id, fdef.id, fdef.label,
                                                     formdefs.answers.required_message(fdef), is_missing=True))
    verdict.problems += formdefs.answers.rule_problems(definition, answers, context, only_fields=screen)
    return verdict
