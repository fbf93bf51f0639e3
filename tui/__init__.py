"""ddsecure: least-privilege Datadog Agent deployments on Kubernetes, with every privilege explained."""

__version__ = "0.1.0"
