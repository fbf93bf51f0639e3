"""Exit codes of every ddsecure command, named once for the CLI, the audit and both wizards."""

from __future__ import annotations

EXIT_OK = 0
EXIT_DIFFERENT = 1  # --check found drift; audit found a finding at --fail-on
EXIT_USAGE = 2  # bad input of any kind
EXIT_INTERRUPTED = 130
