"""The demo: a seeded Local-to-Global Engagement Fund with users for every role."""
