"""The release's cluster-wide footprint: RBAC grants and their ledger, the Cluster Agent, the RBAC patch."""
