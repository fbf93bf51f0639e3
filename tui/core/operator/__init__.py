"""The Datadog Operator: the DatadogAgent written for the answers (`resource.py`), what the Operator
makes of a DatadogAgent's features (`features.py`, read by the DatadogAgent audit too), the pod it is
predicted to deploy (`footprint.py`, `Deployment.operator`) and the names the install steps print."""
