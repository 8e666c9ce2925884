"""Built-in checks for the `infra` section."""

import importlib
import pkgutil

# Register every check module of this section (each module's decorators run on import).
for _info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    importlib.import_module(f"{__name__}.{_info.name}")
