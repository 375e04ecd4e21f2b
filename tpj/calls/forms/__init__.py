"""Forms of the calls module, one submodule per lifecycle stage (mirroring views/); import from the submodules."""
