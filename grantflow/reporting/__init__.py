"""Reporting, payments and closeout: what happens after an award is accepted.

Reports are scheduled from the award (``schedule``), filed by the grantee on
forms defined in ``forms/reports/``, reviewed by staff; accepted reports make
payment tranches due; disbursements are recorded against tranches; a checklist
gates the ``close`` transition and a closed grant is read-only."""
