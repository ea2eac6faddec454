"""Staff (fund administrator) pages: the application list with bulk actions,
the read-only application page, workflow diagrams; the workflow move endpoint
that every role posts to; and the ``grantflow workflows`` commands."""
