"""National Provider Identifiers: 10 digits, the last a Luhn check digit computed over the
9-digit base prefixed with the card issuer identifier 80840 (CMS NPI standard)."""

from __future__ import annotations

NPI_PREFIX = "80840"


def luhn_check_digit(payload: str) -> int:
    """Check digit that makes `payload + digit` pass the Luhn test."""
    total = 0
    for index, char in enumerate(reversed(payload)):
        digit = int(char)
        if index % 2 == 0:  # doubled: these sit at odd positions once the check digit is added
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10


def make_npi(base: str) -> str:
    """The NPI for a 9-digit base (first digit 1 or 2 for real NPIs)."""
    if len(base) != 9 or not base.isdigit():
        raise ValueError(f"NPI base must be 9 digits, got {base!r}")
    return base + str(luhn_check_digit(NPI_PREFIX + base))


def is_valid_npi(npi: str) -> bool:
    return len(npi) == 10 and npi.isdigit() and make_npi(npi[:9]) == npi
