"""Personal data encrypted at rest (等保 2.0 重要数据存储保密性).

Residents' phone numbers and e-mail addresses are stored as authenticated ciphertext: AES-256-GCM,
or the national SM4 cipher in GCM mode, with a fresh 96-bit nonce per value and the column's name
as associated data (a value copied into another column does not decrypt). Beside each encrypted
column sits a keyed hash (HMAC-SHA256 under a separate lookup key) of the normalised value, so an
exact lookup or a uniqueness constraint never needs the plaintext:

    Member.objects.filter(phone="13800138000")   # compiled as  WHERE phone_hash = '<hmac>'

A stored value reads ``v1$<key id>$<base64(nonce | ciphertext | tag)>``. The key id is derived
from the key, so a wrong key is recognised at start-up (``verify_data_keys``), and after
``manage.py rotate_data_keys`` has moved every value to the current key the old one can go.

Keys come from the environment (``PERSONAL_DATA_KEYS``: comma-separated, base64, optionally
prefixed ``sm4:`` or ``aes:``; the first encrypts, the others only decrypt) and
``PERSONAL_DATA_LOOKUP_KEY``. The embedded demo (DEBUG=1) uses fixed development keys.
"""

import base64
import binascii
import hashlib
import hmac
import logging
import os
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models
from django.db.models.lookups import Exact, In, IsNull
from django.dispatch import receiver
from django.test.signals import setting_changed

log = logging.getLogger(__name__)

PREFIX = "v1$"
NONCE = 12
TAG = 16


class DataKeyError(RuntimeError):
    """A stored value that no configured key opens (wrong key, or the value was altered)."""


class Key:
    def __init__(self, spec, default_cipher):
        cipher, _, material = spec.strip().rpartition(":")
        self.cipher = (cipher or default_cipher).lower()
        try:
            self.secret = base64.b64decode(material, validate=True)
        except (binascii.Error, ValueError):
            raise ImproperlyConfigured(
                "PERSONAL_DATA_KEYS: a key is not valid base64 (make one with "
                "`manage.py rotate_data_keys --new-key`)"
            ) from None
        sizes = {"aes": (32,), "aes-gcm": (32,), "sm4": (16,), "sm4-gcm": (16,)}
        if self.cipher not in sizes:
            raise ImproperlyConfigured(
                f"PERSONAL_DATA_KEYS: unknown cipher {self.cipher!r} (aes, sm4)"
            )
        if len(self.secret) not in sizes[self.cipher]:
            raise ImproperlyConfigured(
                f"PERSONAL_DATA_KEYS: a {self.cipher} key must be {sizes[self.cipher][0]} bytes "
                f"(this one is {len(self.secret)})"
            )
        self.sm4 = self.cipher.startswith("sm4")
        tag = f"portal data key {self.cipher[:3]}".encode()
        self.id = hmac.new(self.secret, tag, hashlib.sha256).hexdigest()[:8]
        self._aes = None if self.sm4 else AESGCM(self.secret)

    def seal(self, plain: bytes, aad: bytes) -> bytes:
        nonce = os.urandom(NONCE)
        if self._aes is not None:
            return nonce + self._aes.encrypt(nonce, plain, aad)
        enc = Cipher(algorithms.SM4(self.secret), modes.GCM(nonce)).encryptor()
        enc.authenticate_additional_data(aad)
        body = enc.update(plain) + enc.finalize()
        return nonce + body + enc.tag

    def open(self, blob: bytes, aad: bytes) -> bytes:
        nonce, body = blob[:NONCE], blob[NONCE:]
        if self._aes is not None:
            return self._aes.decrypt(nonce, body, aad)
        dec = Cipher(algorithms.SM4(self.secret), modes.GCM(nonce, body[-TAG:])).decryptor()
        dec.authenticate_additional_data(aad)
        return dec.update(body[:-TAG]) + dec.finalize()


# The DataKey.cipher of the lookup key's record.
LOOKUP = "hmc"


class Keyring:
    def __init__(self, specs, lookup_key, default_cipher="aes"):
        if not specs:
            raise ImproperlyConfigured(
                "PERSONAL_DATA_KEYS is not set: personal data cannot be stored encrypted. "
                "个人数据加密密钥 PERSONAL_DATA_KEYS 未设置，系统拒绝启动。"
            )
        if not lookup_key:
            raise ImproperlyConfigured(
                "PERSONAL_DATA_LOOKUP_KEY is not set. 查找密钥 PERSONAL_DATA_LOOKUP_KEY 未设置。"
            )
        self.keys = [Key(s, default_cipher) for s in specs]
        self.current = self.keys[0]
        self.by_id = {k.id: k for k in self.keys}
        lookup = hashlib.sha256(b"portal lookup " + lookup_key.encode()).digest()
        self.lookup_hmac = hmac.new(lookup, digestmod=hashlib.sha256)  # copied per value
        # Recorded like a data key (cipher LOOKUP) so that a changed lookup key, which would make
        # every exact lookup miss and let duplicates in, stops the start instead.
        self.lookup_id = hmac.new(lookup, b"portal lookup key id", hashlib.sha256).hexdigest()[:8]
        # bench/encryption.py's comparison run only (needs BENCH_BASELINE): no sealing.
        self.plaintext = getattr(settings, "PERSONAL_DATA_BENCH_PLAINTEXT", False)


@receiver(setting_changed)
def _settings_changed(setting, **kwargs):
    if setting.startswith("PERSONAL_DATA_"):
        keyring.cache_clear()


@cache
def keyring():
    return Keyring(
        settings.PERSONAL_DATA_KEYS,
        settings.PERSONAL_DATA_LOOKUP_KEY,
        settings.PERSONAL_DATA_CIPHER,
    )


def normalise(value, kind):
    value = value.strip()
    return value.lower() if kind == "email" else value


def lookup_hash(value, kind):
    """The keyed hash stored beside an encrypted value; '' for no value."""
    if value is None:
        return None
    if value == "":
        return ""
    mac = keyring().lookup_hmac.copy()
    mac.update(f"{kind}:{normalise(value, kind)}".encode())
    return mac.hexdigest()


def encrypt(value, aad):
    if value is None or value == "":
        return value
    ring = keyring()
    if ring.plaintext:
        return value
    blob = ring.current.seal(value.encode(), aad.encode())
    return f"{PREFIX}{ring.current.id}${base64.b64encode(blob).decode()}"


def key_id_of(stored):
    if stored and stored.startswith(PREFIX):
        return stored[len(PREFIX) : len(PREFIX) + 8]
    return None


def decrypt(stored, aad):
    if not stored or not stored.startswith(PREFIX):
        return stored  # empty, or written before encryption (the migration seals those)
    kid = key_id_of(stored)
    key = keyring().by_id.get(kid)
    if key is None:
        raise DataKeyError(f"no configured key {kid} for a stored {aad} (PERSONAL_DATA_KEYS)")
    try:
        return key.open(base64.b64decode(stored[len(PREFIX) + 9 :]), aad.encode()).decode()
    except (InvalidTag, binascii.Error, ValueError):
        raise DataKeyError(f"a stored {aad} does not open with key {kid}: altered?") from None


# Model fields ------------------------------------------------------------------------------------


class EncryptedTextField(models.TextField):
    """Text stored encrypted; its ``hash_field`` (a LookupHashField declared on the same model)
    holds the keyed hash that exact and ``in`` lookups use. Other lookups are refused: they could
    only compare ciphertext."""

    def __init__(self, *args, kind="phone", hash_field=None, **kwargs):
        self.kind = kind
        self.hash_field_name = hash_field
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["kind"] = self.kind
        kwargs["hash_field"] = self.hash_field_name
        return name, path, args, kwargs

    def contribute_to_class(self, cls, name, *args, **kwargs):
        super().contribute_to_class(cls, name, *args, **kwargs)
        self.aad = f"{cls._meta.app_label}.{cls._meta.model_name}.{name}".lower()

    @property
    def hash_field(self):
        return self.model._meta.get_field(self.hash_field_name)

    def from_db_value(self, value, expression, connection):
        return decrypt(value, self.aad)

    def get_db_prep_value(self, value, connection, prepared=False):
        return encrypt(super().get_db_prep_value(value, connection, prepared), self.aad)

    def formfield(self, **kwargs):
        from django import forms

        field = forms.EmailField if self.kind == "email" else forms.CharField
        return super(models.TextField, self).formfield(
            **{"form_class": field, "max_length": 254 if self.kind == "email" else 20, **kwargs}
        )

    def get_lookup(self, lookup_name):
        allowed = {"exact": HashedExact, "iexact": HashedExact, "in": HashedIn, "isnull": IsNull}
        if lookup_name in allowed:
            return allowed[lookup_name]
        raise FieldError(
            f"{self.aad} is encrypted: only exact, in and isnull lookups work (through its hash)"
        )

    def get_transform(self, name):
        return None


class LookupHashField(models.CharField):
    """The keyed hash of ``source`` (an EncryptedTextField), kept current on every save."""

    def __init__(self, *args, source=None, **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for k, default in (("max_length", 64), ("editable", False), ("blank", True)):
            if kwargs.get(k, default) == default:
                kwargs.pop(k, None)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        source = model_instance._meta.get_field(self.source)
        value = lookup_hash(getattr(model_instance, self.source), source.kind)
        setattr(model_instance, self.attname, value)
        return value


def _hashed(field, value):
    if value is None or value == "":
        return value
    if not isinstance(value, str):
        raise FieldError(f"{field.aad}: compare with a string")
    return lookup_hash(value, field.kind)


class HashedExact(Exact):
    """``phone = x`` on an encrypted column, compiled as ``phone_hash = hmac(x)``."""

    lookup_name = "exact"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        field = self.lhs.target
        if self.rhs == "" or self.rhs is None:
            return Exact(self.lhs, self.rhs).as_sql(compiler, connection)
        col = field.hash_field.get_col(self.lhs.alias)
        return compiler.compile(Exact(col, _hashed(field, self.rhs)))


class HashedIn(In):
    lookup_name = "in"

    def as_sql(self, compiler, connection):
        field = self.lhs.target
        col = field.hash_field.get_col(self.lhs.alias)
        return compiler.compile(In(col, [_hashed(field, v) for v in self.rhs]))


def sealed(model, **values):
    """Keyword arguments for ``QuerySet.update`` that keep each encrypted field's hash current:
    ``Member.objects.filter(...).update(**sealed(Member, phone=new))``."""
    out = dict(values)
    for name, value in values.items():
        field = model._meta.get_field(name)
        if isinstance(field, EncryptedTextField):
            out[field.hash_field_name] = lookup_hash(value, field.kind)
    return out


def encrypted_fields(model):
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]


def reseal(model, *, batch=1000, progress=None):
    """Re-encrypt every value of ``model`` under the current key and recompute its hashes (in
    pk order, ``batch`` rows per UPDATE). Used by the migration that first seals the columns and
    by ``rotate_data_keys``. Returns the number of rows."""
    fields = encrypted_fields(model)
    if not fields:
        return 0
    names = [f.name for f in fields] + [f.hash_field_name for f in fields]
    done, last = 0, None
    while True:
        rows = model._base_manager.order_by("pk").only("pk", *[f.name for f in fields])
        if last is not None:
            rows = rows.filter(pk__gt=last)
        chunk = list(rows[:batch])
        if not chunk:
            return done
        for obj in chunk:
            for f in fields:
                setattr(obj, f.hash_field_name, lookup_hash(getattr(obj, f.name), f.kind))
        model._base_manager.bulk_update(chunk, names)
        done += len(chunk)
        last = chunk[-1].pk
        if progress:
            progress(len(chunk))


def seal_existing(app_label, model_name):
    """A migration operation's function: seal the rows written before the column was encrypted."""

    def run(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        reseal(model)

    return run


# Start-up ---------------------------------------------------------------------------------------


def verify_data_keys(using="default"):
    """Refuse to start when the database holds values sealed by a key that is not configured
    (a wrong or missing key in PERSONAL_DATA_KEYS), and record the current key as in use.
    A database that is down or not migrated yet is not a reason to refuse: logged, skipped."""
    from django.db import DatabaseError

    from portal.models import DataKey

    ring = keyring()
    try:
        active = DataKey.objects.using(using).filter(retired_at=None)
        known = dict(active.values_list("key_id", "cipher"))
        lookups = {k for k, cipher in known.items() if cipher == LOOKUP}
        if lookups and ring.lookup_id not in lookups:
            raise ImproperlyConfigured(
                "查找密钥 PERSONAL_DATA_LOOKUP_KEY 与数据库中使用的不一致：按手机号查找将全部落空，"
                "系统拒绝启动。 PERSONAL_DATA_LOOKUP_KEY is not the key this database's lookup "
                "hashes were made with (every exact lookup would miss and duplicates would get "
                "in). Set the key the database was filled with."
            )
        known = {k: cipher for k, cipher in known.items() if cipher != LOOKUP}
        missing = sorted(set(known) - set(ring.by_id))
        if missing:
            raise ImproperlyConfigured(
                f"个人数据由密钥 {', '.join(missing)} 加密，但 PERSONAL_DATA_KEYS 中没有该密钥："
                f"密钥错误或缺失，系统拒绝启动。 The database holds personal data sealed by key "
                f"{', '.join(missing)}, which PERSONAL_DATA_KEYS does not hold (configured: "
                f"{', '.join(ring.by_id)}). Set the right key; after a rotation keep the old key "
                f"until `manage.py rotate_data_keys` has finished."
            )
        if ring.current.id not in known:
            DataKey.objects.using(using).get_or_create(
                key_id=ring.current.id, defaults={"cipher": ring.current.cipher[:3]}
            )
        if not lookups:
            DataKey.objects.using(using).get_or_create(
                key_id=ring.lookup_id, defaults={"cipher": LOOKUP}
            )
    except DatabaseError as e:
        log.warning("data keys not verified (database not ready): %s", e)
