"""The admin's round dashboard: each round's applications by state, in workflow order, with staff labels."""
from __future__ import annotations

import re


def test_states_in_workflow_order_with_labels_and_links(f, client, login_as):
    round_ = f.create_round(name="2026 round")
    for state, cents in (("in_review", 5_000_000), ("draft", 1_000_000), ("in_review", 2_500_000),
                         ("submitted", 4_000_000)):
        f.create_application(round_, state=state, amount_requested_cents=cents)
    login_as(f.create_user("admin"))
    page = client.get("/admin/").get_data(as_text=True)
    labels = re.findall(r'state=(\w+)">([^<]+)</a>', page)
    assert labels == [("draft", "Draft"), ("submitted", "Submitted"), ("in_review", "In review")]
    row = page.split('state=in_review">In review</a>')[1].split("</tr>")[0]
    assert ">2<" in row and "$75,000" in row
    assert f"round={round_.id}" in page


def test_a_round_without_applications_says_so(f, client, login_as):
    f.create_round(name="Empty round")
    login_as(f.create_user("admin"))
    assert "No applications yet." in client.get("/admin/").get_data(as_text=True)
