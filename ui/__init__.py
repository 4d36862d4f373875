"""User interfaces: the `frankenstein` command line and the Textual TUI."""
