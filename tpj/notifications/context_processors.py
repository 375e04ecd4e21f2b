from . import services


def bell(request):
    """The figure of the header's bell: the signed-in user's unread notifications (one
    count on the partial index `notification_unread_idx`; nothing for a visitor).

    Lazy: a page that never draws the header (a fragment, a file) never pays for it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    count = None

    def unread():
        nonlocal count
        if count is None:
            count = services.unread_count(user)
        return count

    return {"notifications_unread": unread}
