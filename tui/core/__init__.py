"""The UI-free core of ddsecure.

Nothing under this package may import textual, questionary or prompt_toolkit: the wizards and the
command line are thin shells over these modules, and preset mode must start fast.
"""
