"""Applications: the rows the workflow engine moves."""
