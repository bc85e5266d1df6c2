"""Checksums and range rules that tell real identifiers from look-alike numbers (order ids, amounts)."""

from __future__ import annotations

# Countries whose IBAN length we hold; others only need a plausible length and a valid checksum.
IBAN_LENGTHS = {
    "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "EE": 20, "ES": 24,
    "FI": 18, "FR": 27, "GB": 22, "GR": 27, "HR": 21, "HU": 28, "IE": 22, "IS": 26, "IT": 27, "LT": 20,
    "LU": 20, "LV": 21, "MT": 31, "NL": 18, "NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24, "SI": 19,
    "SK": 24, "TR": 26,
}  # fmt: skip
IBAN_MIN, IBAN_MAX = 15, 34
CARD_MIN, CARD_MAX = 13, 19
# Card numbers start with 2-6 (Mastercard 2-series, Amex/Diners/JCB, Visa, Mastercard, Discover/Maestro);
# refusing other first digits keeps Luhn-passing reference numbers out.
CARD_FIRST_DIGITS = frozenset("23456")
# US SSN area numbers never issued; UK NI prefixes never issued.
NINO_BAD_PREFIXES = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})


def luhn_valid(digits: str) -> bool:
    """The Luhn check every payment card number passes: double every second digit from the right."""
    if not digits.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def card_number_valid(digits: str) -> bool:
    return (
        CARD_MIN <= len(digits) <= CARD_MAX
        and digits[0] in CARD_FIRST_DIGITS
        and len(set(digits)) > 1
        and luhn_valid(digits)
    )


def iban_valid(compact: str) -> bool:
    """ISO 13616: the length for the country, then mod-97 of the rearranged number equals 1."""
    iban = compact.upper()
    if not (IBAN_MIN <= len(iban) <= IBAN_MAX and iban[:2].isalpha() and iban[2:4].isdigit()):
        return False
    expected = IBAN_LENGTHS.get(iban[:2])
    if expected is not None and len(iban) != expected:
        return False
    if not iban.isalnum() or not iban.isascii():
        return False
    rearranged = iban[4:] + iban[:4]
    as_digits = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(as_digits) % 97 == 1


def ssn_valid(area: str, group: str, serial: str) -> bool:
    """US Social Security number ranges: no 000/666/9xx area, no 00 group, no 0000 serial."""
    return area not in {"000", "666"} and not area.startswith("9") and group != "00" and serial != "0000"


def nino_prefix_valid(prefix: str) -> bool:
    return prefix.upper() not in NINO_BAD_PREFIXES
