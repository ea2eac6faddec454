"""Awards: the terms of an award, its payment tranches, generated letters and acceptance."""
