"""Administration pages that belong to no single domain: the people who use
GrantFlow (invitations, deactivation) and the mail outbox."""
