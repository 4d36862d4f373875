"""Widgets of the TUI: the settings form, the braille chart, the job buttons."""
