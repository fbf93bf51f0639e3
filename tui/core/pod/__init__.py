"""A pod spec and its privileges: the ledger, Pod Security checks, security contexts, strategic merge."""
