"""Resident identity card numbers (居民身份证号码, GB 11643-1999): the one check both the
volunteer register and the household register use. The numbers themselves are never stored,
only their last four digits and a keyed hash."""

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"


def resident_id_ok(number):
    """True for an 18-character number whose check digit (ISO 7064 MOD 11-2) is right."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], WEIGHTS, strict=True))
    return CHECK[total % 11] == number[17]
