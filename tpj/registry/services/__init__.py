"""Multi-step operations of the registry, one module per concern (import from the submodules)."""
