"""Demo points data (filled in below)."""


def seed(stdout):
    return None
