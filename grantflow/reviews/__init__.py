"""Review: rubrics, conflicts of interest, optimal reviewer assignment, queues, calibrated ranking."""
