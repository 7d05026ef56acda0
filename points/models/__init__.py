from .ledger import Account, EarningRule, Entry
from .rewards import Merchant, MerchantStaff, Reward, Voucher, VoucherUse
from .wishes import Wish, WishClaim

__all__ = [
    "Account",
    "EarningRule",
    "Entry",
    "Merchant",
    "MerchantStaff",
    "Reward",
    "Voucher",
    "VoucherUse",
    "Wish",
    "WishClaim",
]
