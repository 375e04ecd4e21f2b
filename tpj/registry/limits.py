"""How many items each list of an entry holds: the registration form lets a user add that many
(formset `max_num`), the API accepts that many (`maxItems`). One constant per list, used by both."""

MAX_SITUATIONS = 8
MAX_CONTACTS = 8
MAX_PRIORITIES = 10  # the 10 national priorities, one checkbox each on the form
