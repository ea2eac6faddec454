"""Workflow guards owned by reporting (named in the workflow YAML).

Guards are pure: they read the reports, payments and closeout record and
return a reason to refuse, or None. (The closeout letter is the awards
domain's effect ``send_closeout_letter`` on the same ``close`` transition.)"""
from __future__ import annotations

from ..core.workflow import guard


@guard("final_report_accepted")
def final_report_accepted(application, context) -> str | None:
    from .operations import final_report_for

    final = final_report_for(application)
    if final is None:
        return "This grant has no final report scheduled."
    if final.state != "accepted":
        return f"Closeout starts once the final report is accepted (it is “{final.state_label}”)."
    return None


@guard("closeout_checklist_complete")
def closeout_checklist_complete(application, context) -> str | None:
    from .closeout import incomplete_items

    missing = incomplete_items(application)
    if missing:
        return "The closeout checklist is not complete: " + "; ".join(
            f"{item.label.lower()} ({item.detail.rstrip('.')})" for item in missing) + "."
    return None
