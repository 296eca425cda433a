"""The built-in plugins of govscore, one module per kind.

They are registered through the ``govscore`` entry point group in pyproject.toml, exactly as a
third-party package registers its own, so each module is a working example for plugin authors.
"""
