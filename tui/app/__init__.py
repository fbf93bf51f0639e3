"""The full-screen Textual wizard. Nothing here is imported unless `ddsecure wizard` runs."""
