"""Background tasks of this app, one module per use case.

Every module of the package is imported here, so that the worker (`manage.py run_huey`,
which imports each app's `tasks`) registers all of them; add a module, never a line here.
"""

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
