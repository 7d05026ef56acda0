import pytest

from portal.models import User
from portal.roles import sync_role_groups
from tests.factories import CommunityFactory, GridFactory, StreetFactory, make_staff


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Staff fixtures hash a password per account; the real hasher costs ~0.3 s each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def roles(db):
    sync_role_groups()


@pytest.fixture
def two_streets(roles):
    """Two streets of one district, two communities each, one inner grid per community."""
    a = StreetFactory(name="甲街道")
    b = StreetFactory(name="乙街道", district=a.district)
    tree = {"district": a.district, "streets": [a, b], "communities": [], "grids": []}
    for street in (a, b):
        for _ in range(2):
            community = CommunityFactory(street=street)
            tree["communities"].append(community)
            tree["grids"].append(GridFactory(community=community))
    return tree


@pytest.fixture
def staff(two_streets):
    """One account per level: district official, street A, community A1, grid of A1."""
    t = two_streets
    return {
        "district": make_staff(User.Role.DISTRICT_OFFICIAL, t["district"], "district"),
        "street": make_staff(User.Role.STREET_STAFF, t["streets"][0], "street-a"),
        "community": make_staff(User.Role.COMMUNITY_STAFF, t["communities"][0], "community-a1"),
        "grid": make_staff(User.Role.GRID_WORKER, t["grids"][0], "grid-a1"),
    }


@pytest.fixture(autouse=True)
def audit_trail_flushable(request):
    """A transactional test ends with a flush (DELETE FROM every table on SQLite), which the
    audit trail's append-only trigger refuses: drop the triggers just before it. Tests that
    check them install them again (tests/security/test_audit.py)."""
    if not {"transactional_db", "live_server"} & set(request.fixturenames):
        yield
        return
    request.getfixturevalue("transactional_db")
    yield
    from django.db import connection

    from security import triggers

    triggers.uninstall(connection)


@pytest.fixture(autouse=True)
def fresh_work_calendar():
    """The finder keeps the official calendar and the check-in keeps stations a minute per
    process; each test reads its own."""
    from portal import boundaries
    from stations import selectors

    selectors._calendar["calendar"] = None
    selectors._posters.update(at=0.0, rows={})
    selectors._catalogue.update(at=0.0, rows={})
    selectors._texts.update(at=0.0, texts=())
    boundaries.forget_index()


@pytest.fixture(autouse=True)
def inline_celery():
    """Tests run Celery tasks inline unless they ask for the real worker (`live_worker`)."""
    from portal.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = True


@pytest.fixture
def live_worker(transactional_db):
    """A real Celery worker process on the real Redis broker and this test's database.

    Needs PostgreSQL (the worker must see the test's committed rows) and CELERY_BROKER_URL.
    Yields a handle with `.stop()` / `.start()` / `.kill()` for fault tests.
    """
    import os

    from django.conf import settings
    from django.db import connection

    from portal.celery import app
    from tests.workers import WorkerProcess

    if not settings.CELERY_BROKER_URL or connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL and a Redis broker (CELERY_BROKER_URL)")
    worker = WorkerProcess(connection.settings_dict, settings.CELERY_BROKER_URL, os.environ)
    worker.flush_broker()
    app.conf.task_always_eager = False
    worker.start()
    yield worker
    worker.stop()
    app.conf.task_always_eager = True


@pytest.fixture
def verified_login():
    """Sign a staff account in with its second factor already given (a confirmed TOTP device
    in the session), for tests that run with STAFF_2FA_REQUIRED on."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    def login(client, user):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        device = device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        client.force_login(user)
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
        return device

    return login


@pytest.fixture
def audit_write_queries(db):
    """What one audit record costs in queries on this database (the chain lock on PostgreSQL,
    the previous hash, the INSERT), for tests that pin a page's queries and the page records
    a read of personal data."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from security.audit import audit_record
    from security.models import AuditEvent

    audit_record(kind=AuditEvent.Kind.LOGIN, actor_name="warm-up")  # the chain is not empty
    with CaptureQueriesContext(connection) as ctx:
        audit_record(kind=AuditEvent.Kind.LOGIN, actor_name="measure")
    return len(ctx.captured_queries)
