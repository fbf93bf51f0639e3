"""`python -m tui` and the `ddsecure` console script."""

import sys


def run() -> int:
    # Import inside the guard so that Ctrl-C during start-up is a one-line message too.
    try:
        from tui.cli import main

        return main()
    except KeyboardInterrupt:
        sys.stderr.write("ddsecure: interrupted; nothing was written\n")
        return 130


if __name__ == "__main__":
    sys.exit(run())
