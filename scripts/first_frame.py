"""Run an app's code and end the process when Textual hands the terminal a frame holding MARKER.

    python scripts/first_frame.py MARKER CODE

For counting what an app does before its first screen (bench_wizard.py --instructions): the process
stops there, so work the app defers until after that frame is not counted, as a user would not wait for it.
"""

import os
import sys

from textual.drivers.linux_driver import LinuxDriver

marker, code = sys.argv[1], sys.argv[2]
write = LinuxDriver.write


def write_until_marker(self: LinuxDriver, data: str) -> None:
    if marker in data:
        os._exit(0)  # no clean-up: what is counted is the work up to this frame
    write(self, data)


LinuxDriver.write = write_until_marker  # type: ignore[method-assign]
sys.argv = sys.argv[:1]
exec(compile(code, "<app>", "exec"), {"__name__": "__main__"})
