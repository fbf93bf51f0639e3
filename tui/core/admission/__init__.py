"""Admission objects that enforce the privilege ledger in the cluster.

`fence` writes a ValidatingAdmissionPolicy (and its binding) that admits, in the Agent's namespace,
only the privileges privileges.json lists; `kyverno` writes the PolicyException that lets the Agent's
pods through Kyverno's Pod Security policies for exactly the controls they break. Both read the
same `Profile`s (`profiles`): the pods the bundle deploys, each with its ledger.
"""
