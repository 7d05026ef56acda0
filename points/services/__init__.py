"""Every state change of points, rewards and wishes (one function per action, one transaction)."""

from .ledger import (
    NotEnoughPoints,
    Refused,
    account_of,
    entry_reverse,
    points_adjust,
    points_award_for_record,
    points_expire_due,
    points_expire_year,
)
from .orders import (
    order_accept,
    order_complete,
    order_dispatch,
    order_place,
    order_rate,
    orders_overdue,
    partner_staff_create,
)
from .rewards import (
    counter_user_create,
    merchant_staff_create,
    reward_redeem,
    voucher_use,
    vouchers_refund_expired,
)
from .wishes import (
    wish_claim,
    wish_claim_confirm,
    wish_claim_fulfil,
    wish_post,
    wish_review,
    wishes_lapse_overdue_claims,
)

__all__ = [
    "NotEnoughPoints",
    "Refused",
    "account_of",
    "counter_user_create",
    "entry_reverse",
    "merchant_staff_create",
    "order_accept",
    "order_complete",
    "order_dispatch",
    "order_place",
    "order_rate",
    "orders_overdue",
    "partner_staff_create",
    "points_adjust",
    "points_award_for_record",
    "points_expire_due",
    "points_expire_year",
    "reward_redeem",
    "voucher_use",
    "vouchers_refund_expired",
    "wish_claim",
    "wish_claim_confirm",
    "wish_claim_fulfil",
    "wish_post",
    "wish_review",
    "wishes_lapse_overdue_claims",
]
