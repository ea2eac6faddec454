"""The mentor network: past and present grantees mentor applicants and new grantees."""
