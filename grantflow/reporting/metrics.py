"""The engagement metrics a grantee reports against the targets set in the application.

GrantFlow's catalogue of metrics: an application form's question with
``role: targets`` is a group whose fields are metrics of this catalogue
(``forms check`` refuses others), and a report form's question with
``role: actuals`` holds the actuals (cumulative since the grant began) with the same keys;
``Report.metrics`` is the copy that dashboards and exports read."""
from __future__ import annotations

from ..core import formdefs

METRICS = {
    "jobs_created": "Jobs created",
    "investment_usd": "Investment attracted (USD)",
    "delegations_hosted": "Foreign delegations hosted",
    "delegations_sent": "Delegations sent abroad",
    "events_held": "Events held",
    "exchange_participants": "Exchanges (people)",
    "partnerships_signed": "Partnerships or agreements signed",
    "residents_engaged": "Residents engaged",
}
formdefs.register_metrics(METRICS)


def _numbers(raw) -> dict[str, int]:
    found = {}
    if isinstance(raw, dict):
        for key, value in raw.items():
            if key in METRICS and isinstance(value, (int, float)) and not isinstance(value, bool):
                found[key] = int(value)
    return found


def targets_for(application) -> dict[str, int]:
    """The targets the applicant set (only metrics with a number)."""
    return _numbers(formdefs.answer(application, "targets"))


def actuals_from(definition, answers: dict) -> dict[str, int]:
    """The metrics a report's answers give (its form's question with ``role: actuals``)."""
    return _numbers(definition.answer_for(answers, "actuals"))


def missing_actuals(application, report) -> list[str]:
    """Labels of metrics with a target but no reported figure in ``report``."""
    reported = report.metrics if report is not None else {}
    return [METRICS[key] for key in targets_for(application) if key not in reported]


def rows(application, report) -> list[dict]:
    """One row per metric that has a target or an actual, for tables."""
    targets = targets_for(application)
    actuals = report.metrics if report is not None else {}
    return [{"key": key, "label": label, "target": targets.get(key), "actual": actuals.get(key)}
            for key, label in METRICS.items() if key in targets or key in actuals]
