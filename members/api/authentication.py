"""API token authentication that reads the token, its user and the user's member at once."""

from functools import lru_cache

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from members.models import Member


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication ("Authorization: Token <key>"), answering from one SELECT
    that joins the user and, when there is one, the member: a courier's check-in or
    /api/v1/me/ then reads `request.user.member` without a second query. The statement is
    written once (`_token_sql`), because compiling a two-join ORM query cost more than
    running it on the API's busiest calls. Staff tokens join no member."""

    def authenticate_credentials(self, key):
        token_fields, user_fields, member_fields = _fields()
        with connection.cursor() as cursor:
            cursor.execute(_token_sql(), [key])
            row = cursor.fetchone()
        if row is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        n_token, n_user = len(token_fields), len(user_fields)
        token = Token.from_db(None, token_fields, row[:n_token])
        user = get_user_model().from_db(None, user_fields, row[n_token : n_token + n_user])
        member_row = row[n_token + n_user :]
        member = None
        if member_row[0] is not None:
            # A raw row skips the fields' converters: the phone is stored encrypted.
            member_row = [
                f.from_db_value(v, None, connection) if hasattr(f, "from_db_value") else v
                for f, v in zip(Member._meta.concrete_fields, member_row, strict=True)
            ]
            member = Member.from_db(None, member_fields, member_row)
        Token.user.field.set_cached_value(token, user)
        Member.user.field.remote_field.set_cached_value(user, member)
        if member is not None:
            Member.user.field.set_cached_value(member, user)
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if user.is_superuser or user.role or user.is_staff:  # members and cashiers: no question
            from security.two_factor import two_factor_required

            if two_factor_required(user):
                # A token would sign such an account in without its second factor (and let
                # whoever minted it act as that official).
                raise exceptions.AuthenticationFailed(
                    _(
                        "This account signs in with a second factor, so API tokens are not "
                        "accepted for it."
                    )
                )
        return user, token


def _fields():
    return tuple(
        [f.attname for f in model._meta.concrete_fields]
        for model in (Token, get_user_model(), Member)
    )


@lru_cache(maxsize=1)
def _token_sql():
    q = connection.ops.quote_name
    User = get_user_model()

    def columns(alias, model):
        return ", ".join(f"{alias}.{q(f.column)}" for f in model._meta.concrete_fields)

    return (
        f"SELECT {columns('t', Token)}, {columns('u', User)}, {columns('m', Member)}"  # noqa: S608
        f" FROM {q(Token._meta.db_table)} t"
        f" JOIN {q(User._meta.db_table)} u ON u.{q(User._meta.pk.column)} = t.user_id"
        f" LEFT JOIN {q(Member._meta.db_table)} m"
        f" ON m.{q(Member.user.field.column)} = u.{q(User._meta.pk.column)}"
        f" WHERE t.{q(Token._meta.pk.column)} = %s"
    )
