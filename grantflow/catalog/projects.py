"""What a public project page shows beyond the grant's row: the places abroad and
the partner organisations (answers found by their declared roles, whatever a
form version calls them), metrics against targets, consented success stories;
and the partner countries counted over the published grants."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa

from ..applications.models import Application
from ..core.formdefs import definition_for, load_form, role_value
from ..extensions import db
from ..portfolio.metrics import actual_facts
from ..reporting.metrics import METRICS, targets_for
from ..reporting.models import Report


@dataclass(frozen=True)
class Place:
    country: str
    city: str


@dataclass(frozen=True)
class Collaborator:
    name: str
    kind: str


@dataclass(frozen=True)
class MetricLine:
    label: str
    target: int | None
    actual: int | None

    @property
    def percent(self) -> int | None:
        return round(100 * self.actual / self.target) if self.target and self.actual is not None else None


@dataclass
class ProjectDetail:
    places: list[Place]
    collaborators: list[Collaborator]
    metrics: list[MetricLine]
    stories: list[str]


def _items(definition, answers: dict, group_role: str, item_roles: tuple[str, ...]) -> list[dict]:
    """The group's repeated answers as {item role: value}; [] when the form has no such group."""
    group = definition.role_field(group_role)
    if group is None:
        return []
    children = {role: next((c for c in group.fields if c.role == role), None) for role in item_roles}
    found = []
    for item in (answers or {}).get(group.id) or []:
        if not isinstance(item, dict):
            continue
        values = {}
        for role, child in children.items():
            raw = item.get(child.id) if child is not None else None
            if child is not None and child.options:
                raw = next((o.label for o in child.options if o.value == raw), raw)
            values[role] = " ".join(str(raw).split()) if raw not in (None, "") else ""
        found.append(values)
    return found


def places_of(definition, answers: dict) -> list[Place]:
    items = _items(definition, answers, "engagement_places", ("place_country", "place_city"))
    return [Place(i["place_country"], i["place_city"]) for i in items if i["place_country"]]


def collaborators_of(definition, answers: dict) -> list[Collaborator]:
    items = _items(definition, answers, "collaborators", ("collaborator_name", "collaborator_kind"))
    return [Collaborator(i["collaborator_name"], i["collaborator_kind"]) for i in items if i["collaborator_name"]]


def _actuals(application_id: int) -> dict[str, int]:
    actuals = actual_facts()
    row = db.session.execute(sa.select(actuals).where(actuals.c.application_id == application_id)).first()
    return {key: int(row._mapping[key]) for key in METRICS if row is not None and row._mapping[key] is not None}


def _stories(application_id: int) -> list[str]:
    """The grant's success stories from accepted reports whose authors consented, newest first."""
    texts = db.session.scalars(sa.select(Report.success_story).where(
        Report.application_id == application_id, Report.is_story_publishable.is_(True), Report.state == "accepted")
        .order_by(Report.submitted_at.desc(), Report.id.desc()))
    return list(dict.fromkeys(t.strip() for t in texts if t and t.strip()))


def project_detail(application_id: int) -> ProjectDetail:
    """Only for a published grant (the caller checked ``queries.published_grant``)."""
    application = db.session.get(Application, application_id)
    definition = definition_for(application)
    targets, actuals = targets_for(application), _actuals(application_id)
    metrics = [MetricLine(label, targets.get(key), actuals.get(key)) for key, label in METRICS.items()
               if key in targets or key in actuals]
    return ProjectDetail(places_of(definition, application.answers), collaborators_of(definition, application.answers),
                         metrics, _stories(application_id))


def partner_countries(application_ids: list[int]) -> list[tuple[str, int]]:
    """(country, number of projects working with it), most projects first. Countries
    are typed by applicants: spacing and case do not split one country in two."""
    if not application_ids:
        return []
    counts: Counter = Counter()
    shown: dict[str, str] = {}
    # only the places' answer of each row (found by its role in the row's form version), not every answer
    places = role_value(Application, "engagement_places", convert=lambda element: element)
    rows = db.session.execute(sa.select(Application.form_key, Application.form_version, places)
                              .where(Application.id.in_(application_ids)))
    for form_key, form_version, items in rows:
        definition = load_form("applications", form_key, form_version)
        group = definition.role_field("engagement_places")
        countries = {}
        for place in places_of(definition, {group.id: items} if group is not None else {}):
            countries.setdefault(place.country.casefold(), place.country)
        for key, name in countries.items():
            counts[key] += 1
            shown.setdefault(key, name)
    return sorted(((shown[key], n) for key, n in counts.items()), key=lambda item: (-item[1], item[0]))
