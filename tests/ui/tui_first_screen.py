"""Start the TUI in this fresh interpreter, to its first screen (and with --tabs, show
each tab once), quit, and print what the first screen took and whether torch was
imported (the start-up test and benchmark run it).

    python -m tests.ui.tui_first_screen RUNS_DIR DATA_DIR [--tabs]
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path


async def main(runs: Path, data: Path, tabs: bool) -> dict:
    t0 = time.perf_counter()
    from ui.tui.app import create_app

    app = create_app(runs=runs, data=data)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        first = time.perf_counter() - t0
        for tab in "1234" if tabs else "":
            await pilot.press(tab)
            await app.workers.wait_for_complete()
            await pilot.pause()
        last = str(app.query_one("TabbedContent").active)
    return {"first_screen_s": first, "torch": "torch" in sys.modules, "last_tab": last}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(Path(sys.argv[1]), Path(sys.argv[2]), "--tabs" in sys.argv))))
