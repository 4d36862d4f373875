"""Screens shown over the tabs (the comparison of two runs)."""
