import pytest


class RecordingBackend:
    """A stand-in SMS gateway that records what it was asked to send: [(phone, text)]."""

    sent = []

    def send(self, to, text):
        self.sent.append((to, text))


@pytest.fixture
def sms(settings):
    settings.NOTIFY_BACKEND = "tests.grievances.conftest.RecordingBackend"
    RecordingBackend.sent = []
    return RecordingBackend.sent
