"""The TUI's tabs: Data, Train, Ablations, Runs (one file each)."""
