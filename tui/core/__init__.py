"""The UI-free core of ddsecure.

Nothing under this package may import textual, questionary or prompt_toolkit: the wizards and the
command line are thin shells over these modules, and preset mode must start fast.

Its sub-packages stand on floors, and a module imports only from its own floor or below, so the model
never depends on how it is presented or audited:

0. `errors`, `digest`, `agent_version`, `yamlio`, `wrappers` — one error type, SHA-256, Agent versions, YAML
   in and out, the forms a file of chart values comes in (plain, Flux, Argo CD, ...) and where the values
   sit in each
1. `platforms` — where the cluster runs, and what its API server reports
2. `answers` — the answers contract, decisions and their explanations, presets, wizard steps
3. `pod` — a pod spec and its privileges: the ledger, Pod Security, security contexts
4. `chart` — what the chart renders for a set of values on a platform, and the DaemonSet patch
5. `cluster`, `operator` — RBAC grants, the Cluster Agent, the RBAC patch; the DatadogAgent for the answers
   and the pod the Datadog Operator is predicted to deploy for it
6. `deployment` — the one computation every file and screen reads
7. `admission` — the ledger as admission policy: the privilege fence and the Kyverno exception
8. `output` — what is written and shown: bundle, report, next steps, DatadogAgent, previews
9. `audit` — the audit of existing files and `--fix`
"""

# The floors above, by top-level name under tui.core (the layering test reads this).
FLOORS: dict[str, int] = {
    "errors": 0,
    "digest": 0,
    "agent_version": 0,
    "yamlio": 0,
    "wrappers": 0,
    "platforms": 1,
    "answers": 2,
    "pod": 3,
    "chart": 4,
    "cluster": 5,
    "operator": 5,
    "deployment": 6,
    "admission": 7,
    "output": 8,
    "audit": 9,
}
