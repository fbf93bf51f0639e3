"""Auditing an existing values.yaml or rendered manifests: what they grant, why, and how to shrink it.

UI-free: `audit_path(path)` returns an `AuditReport`; `tui.audit_command` only formats it.
"""
