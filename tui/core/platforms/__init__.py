"""Where the cluster runs, as data: each platform, and what its API server reports to helm."""
