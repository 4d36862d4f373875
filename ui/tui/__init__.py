"""The Textual TUI (`frankenstein tui`): data, training, ablations and runs.

`ui.tui.app.create_app` builds it; the tabs are in `panes/`, the widgets in
`widgets/`, the layout in `app.tcss`. The plain logic (the settings form, the
events of a run, run folders, data directories, the supervised child process)
has no Textual in it, so tests drive it directly.
"""
