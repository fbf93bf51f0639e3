"""YAML in and out: reading input files, dotted keys, writing commented YAML."""
