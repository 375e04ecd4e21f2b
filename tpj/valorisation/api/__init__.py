"""REST API of Module 3 under /api/v1/: dashboard/, measures/, measures/{id}/deployments/,
apportionments/, laureates/ (the projetothèque's public laureate projects, read from Module 2).

Access is decided by the policy (permissions.py); the dashboard is scoped exactly as the
web page; laureates/ is public (AllowAny, declared).
"""
