"""Authorisation table: core (home page and health check). Format: README.md."""

def _failed_job(scenario):
    from grantflow.core.models import BackgroundJob
    from grantflow.extensions import db

    job = BackgroundJob(task="grantflow.core.tasks.database_health", args={}, status="failed", attempts=1,
                        error="OperationalError: the database restarted")
    db.session.add(job)
    db.session.flush()
    return job


SCENARIO = {"failed_job": _failed_job}

ROUTES = {
    # the home page sends each role to its own home (applicant: my applications,
    # reviewer: my queue, admin: the dashboard); visitors see the landing page
    "core.home": {"anonymous": 200, "applicant": 302, "other_applicant": 302, "reviewer": 302, "admin": 302},
    "core.health": {"anonymous": 200, "applicant": 200, "other_applicant": 200, "reviewer": 200,
                    "admin": 200},
    # Retry on a job's page: administrators only
    "core.retry_job": {"anonymous": 302, "applicant": 403, "other_applicant": 403, "reviewer": 403, "admin": 302,
                       "args": {"job_id": "failed_job.id"}},
}
