"""Cross-cutting machinery shared by every domain package."""
