"""What the datadog chart renders for a set of values on a platform, and what only a DaemonSet patch can change."""
