"""What is written and shown: the bundle, REPORT.md, next steps, the DatadogAgent, previews."""
