"""The public catalog and map of funded projects: what the fund funded, where and
with whom, for anyone, without signing in, for the rounds that publish.

Only accepted awards are shown (the applicant accepted the award and the workflow
declares a grant), and nothing personal: organisations, places, amounts, dates,
metrics and the success stories their authors consented to publish."""
