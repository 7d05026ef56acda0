from .figures import EarnerDay, LedgerDay, OrderDay, PointsRolledUpDay, VoucherDay, WishDay
from .ledger import Account, EarningRule, Entry
from .orders import Order, Partner, PartnerStaff, Service
from .rewards import Merchant, MerchantStaff, Reward, Voucher, VoucherUse
from .wishes import Wish, WishClaim

__all__ = [
    "Account",
    "EarnerDay",
    "LedgerDay",
    "OrderDay",
    "PointsRolledUpDay",
    "VoucherDay",
    "WishDay",
    "EarningRule",
    "Entry",
    "Merchant",
    "Order",
    "Partner",
    "PartnerStaff",
    "Service",
    "MerchantStaff",
    "Reward",
    "Voucher",
    "VoucherUse",
    "Wish",
    "WishClaim",
]
