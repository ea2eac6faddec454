"""The JSON API under ``/api/v1``: public catalog reads, administrators' and
applicants' reads with personal API tokens, and its OpenAPI 3.1 document."""
