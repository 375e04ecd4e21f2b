"""Transitional: `api.py` (edited by another helper in the same change) still imports the dashboard
scope from here. The scope now lives in `dashboard.py`; delete this module once `api.py` imports
`ScopeRefused, dashboard_scope` from `.dashboard`."""

from .dashboard import ScopeRefused, dashboard_scope

__all__ = ["ScopeRefused", "dashboard_scope"]
