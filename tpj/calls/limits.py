"""How many items each list of a call or an application holds: the web form lets a user add
that many (formset `max_num`, or a check of the field), the API accepts that many (`maxItems`).
One constant per list, used by both."""

from .models import Targeting

MAX_PARTNERS = 20
MAX_BUDGET_LINES = 30
MAX_COFINANCINGS = 10
MAX_INDICATORS = 10
MAX_ENVELOPES = 2  # ARS and DREETS: requests of an application, allocations of a decision
MAX_CALL_AXES = 12  # axes of a call, and so of an application
MAX_CRITERIA = 20  # criteria of a call, and so scores of a sheet
MAX_PLACES = 100  # communes where a project acts (or a call targets)
# Priority territories an applicant ticks (the call's "places" targeting is not one of them).
APPLICATION_TARGETING_CHOICES = Targeting.choices[:-1]
MAX_TARGETING_KINDS = len(Targeting.choices)
