from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """Axes' lockout check for every sign-in that comes with a request (the admin login, any
    API auth). Server-side callers without one (the shell, the test client's `login`) have no
    address to lock and pass on to the password check."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
