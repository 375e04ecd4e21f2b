"""Looking at the test's own child processes (Linux /proc): is one still running, which are there."""


def running(pid: int) -> bool:
    """True while `pid` runs (a zombie has exited: it only waits for its parent to read its status)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            return "\nState:\tZ" not in status.read()
    except FileNotFoundError:
        return False


def children(pid: int) -> list[int]:
    """The ids of `pid`'s child processes (none once it has exited)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as listed:
            return [int(child) for child in listed.read().split()]
    except FileNotFoundError:
        return []
