"""Widgets of the TUI: the settings form and the braille chart."""
