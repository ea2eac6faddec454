"""Why an assignment leaves places empty, in the fund's words, and what would fill them.

Two causes, told apart by the solver's certificate (``Shortfall``: the
applications still short can only use reviewers who are full):

- **capacity**: every reviewer's places are taken, so the caps add up to
  fewer places than needed; the fix is to raise caps (by how much) or add
  reviewers;
- **a conflict rule**: some reviewers still have free places, but a rule
  (a declared state or organisation, the reviewer's own organisation, an
  earlier assignment) forbids every one of them for these applications; the
  message names the rule, the applications and the few reviewers left to them,
  and the fix: raise those reviewers' caps, or add reviewers with the
  applications' themes and no such conflict.
"""
from __future__ import annotations

from collections import Counter

import numpy as np

from ..organisations.models import US_STATES
from .themes import theme_label, theme_labels

# the rules that exclude a pair, in the order the loader applies them
CONFLICT_RULES = ("state", "organisation", "own_organisation", "earlier")


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    return f"{count:,} {singular if count == 1 else (plural_form or singular + 's')}"


def names(items: list[str], limit: int = 4) -> str:
    if len(items) <= limit:
        return ", ".join(items[:-1]) + (" and " if len(items) > 1 else "") + items[-1]
    return ", ".join(items[:limit]) + f" and {len(items) - limit} more"


def explain(data, solution, form_key: str | None = None) -> list[str]:
    """One sentence per cause: the capacity first, then each group of
    applications a conflict rule leaves short."""
    problem = data.problem
    if solution.assigned >= int(problem.need.sum()):
        return []
    labels = theme_labels(form_key)
    used = np.bincount(solution.reviewers, minlength=problem.shape[1])
    spare = problem.capacity - used > 0
    per_app = np.bincount(solution.apps, minlength=problem.shape[0])
    messages = []
    free, needed = int(problem.capacity.sum()), int(problem.need.sum())
    capacity_groups = [g for g in solution.shortfalls if not spare.any()]
    if free < needed:
        text = (f"Total capacity is short: the reviewers have {plural(free, 'free place')} for "
                f"{plural(needed, 'place')} needed, {needed - free:,} too few. Raise the reviewers' caps by at "
                f"least {needed - free:,} in total, or add reviewers with at least "
                f"{plural(needed - free, 'place')}.")
        if capacity_groups:
            short = sorted(i for g in capacity_groups for i in g.applications)
            text += (f" Left short: {_applications(data, short, labels)} "
                     f"({names([data.references[i] for i in short], limit=6)}).")
        messages.append(text)
    for group in solution.shortfalls:
        if group in capacity_groups:
            continue
        short = {i: int(problem.need[i] - per_app[i]) for i in group.applications}
        messages.append(_conflict_message(data, group, short, spare, labels))
    return messages


def _applications(data, apps: list[int], labels: dict[str, str]) -> str:
    """"8 applications from Alaska on Climate action": the states and the
    themes they all share, only what is true of every one of them."""
    states = sorted({data.application_states[i] for i in apps})
    shared = set.intersection(*(set(data.application_themes[i]) for i in apps)) if apps else set()
    text = plural(len(apps), "application")
    if len(states) <= 3:
        text += " from " + names([US_STATES.get(s, s) for s in states])
    if shared:
        text += " on " + names([theme_label(t, labels) for t in sorted(shared)])
    return text


def _conflict_message(data, group, short: dict[int, int], spare: np.ndarray, labels: dict[str, str]) -> str:
    problem = data.problem
    apps = group.applications
    # the rules that forbid these applications the reviewers who still have room
    room = np.flatnonzero(spare)
    counts = {rule: data.blocked[rule][np.ix_(apps, room)] for rule in CONFLICT_RULES}
    rules = [rule for rule in sorted(CONFLICT_RULES, key=lambda r: -int(counts[r].sum())) if counts[rule].any()]
    state_rule = [data.application_states[i] for i, row in zip(apps, counts["state"]) if row.any()]
    state_names = names([US_STATES.get(s, s) for s in sorted(set(state_rule))]) if state_rule else ""
    eligible = np.flatnonzero(problem.allowed[apps].any(axis=0))  # no rule excludes them; maybe full
    missing = sum(short.values())
    refs = names([data.references[i] for i in apps], limit=6)
    who = plural(len(eligible), "eligible reviewer")
    if len(eligible):
        who += f" ({names([data.reviewer_names[j] for j in eligible])})"
    if rules:
        cause = " and ".join(_rule_phrase(rule, state_names) for rule in rules)
        state = "whose places are all taken" if not spare[eligible].any() else "who are full or already on their panels"
        text = (f"{cause[0].upper()}{cause[1:]} leave {_applications(data, apps, labels)} with "
                + (f"only {who}, {state}" if len(eligible) else "no eligible reviewer"))
    else:  # nobody else is excluded: there are simply fewer reviewers than places on a panel
        text = (f"Too few reviewers: {_applications(data, apps, labels)} "
                f"{'has' if len(apps) == 1 else 'have'} only {who}, and a reviewer reviews an application once")
    text += f": {plural(missing, 'place')} stay{'s' if missing == 1 else ''} empty ({refs})."
    # what would fill them: more room for the full reviewers, or new reviewers free of these conflicts
    themes = [t for t, _ in Counter(t for i in apps for t in data.application_themes[i]).most_common(2)]
    conditions = []
    if themes:
        conditions.append("expertise in " + " or ".join(theme_label(t, labels) for t in themes))
    if state_names:
        conditions.append(f"no conflict with {state_names}")
    if "organisation" in rules or "own_organisation" in rules:
        conditions.append("no tie to the applicant organizations")
    new = (f"add {plural(max(short.values()), 'reviewer')}"
           + (" with " + " and ".join(conditions) if conditions else "")
           + f" (together at least {plural(missing, 'place')})")
    if rules and (~spare[eligible]).any():
        return text + f" To fill them, raise the caps of the reviewers named by at least {missing:,} in total, or {new}."
    return text + f" To fill them, {new}."


def _rule_phrase(rule: str, state_names: str) -> str:
    return {
        "state": f"conflicts declared with {state_names}",
        "organisation": "conflicts declared with the applicant organizations",
        "own_organisation": "reviewers' own organizations",
        "earlier": "earlier assignments (a reviewer who reviewed, recused from or declined an application is "
                   "not assigned it again)",
    }[rule]
