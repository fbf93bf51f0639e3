"""Exit codes of every ddsecure command, named once for the CLI, the audit and both wizards."""

from __future__ import annotations

EXIT_OK = 0
EXIT_DIFFERENT = 1  # --check found drift; audit found a finding at --fail-on
EXIT_USAGE = 2  # bad input of any kind
EXIT_INTERRUPTED = 130

# The same four, for `--help` and the README.
EXIT_CODES_HELP = """\
exit codes:
  0    success; audit: no finding at --fail-on or above
  1    audit: a finding at --fail-on or above (with --expect: the DaemonSet
       differs from privileges.json); generate --check: the directory differs
  2    bad input or usage: one line on stderr, nothing written; audit: a
       Datadog file could not be read
  130  interrupted (Ctrl-C): nothing written"""
