"""The browser editor (engine edit): a thin client of the engine, kept apart so the core never imports
the web stack."""
