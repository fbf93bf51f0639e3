"""The user's answers: the contract, the decisions and their explanations, presets, answer files, wizard steps."""
