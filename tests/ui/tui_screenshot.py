"""Write docs/tui-train.svg: the Train tab mid-run, driven by the fake trainer.

    python -m tests.ui.tui_screenshot docs/tui-train.svg

The run is the fake trainer's (tests/ui/fake_trainer.py: fixed numbers, no torch),
held in its 4th epoch of 6 so the curves and bars show a run under way; it is
stopped (SIGINT, as the Stop key does) before the app closes.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

from textual.widgets import Input

from tests.ui.tui_helpers import fake_trainer, tui


async def screenshot(out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        trainer = [*fake_trainer("hold"), "--hold-at=14"]
        app = tui(Path(tmp), trainer=trainer)
        async with app.run_test(size=(80, 24)) as pilot:
            app.query_one("#f-epochs", Input).value = "6"
            app.query_one("#f-name", Input).value = "frankenstein-demo"
            await pilot.press("f5")
            pane = app.query_one("#train-pane")
            deadline = time.monotonic() + 30
            while pane.state.batch != 2 or pane.state.epoch != 3:
                assert time.monotonic() < deadline, "the fake trainer never got to epoch 4"
                await pilot.pause(0.02)
            await pilot.pause()
            out.parent.mkdir(parents=True, exist_ok=True)
            app.save_screenshot(filename=out.name, path=str(out.parent.resolve()))
            await pilot.press("f6")
            await app.workers.wait_for_complete()


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/tui-train.svg").resolve()
    asyncio.run(screenshot(target))
    print(f"wrote {target}")
