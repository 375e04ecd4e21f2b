"""Multi-step operations of the calls module, one module per lifecycle stage.

Every function here is a unit of work: it checks the policy, validates, writes inside one
transaction and records what happened in the audit log (directly or through a workflow).
Views and the API call these functions and nothing else to change data; they import the
stage module they need (`from tpj.calls.services import decisions`).
"""
