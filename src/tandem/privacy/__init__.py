"""Privacy scan: find personal data in customer text and redact it with typed placeholders.

>>> redact("card 4111 1111 1111 1111, mail me at ann@example.com")
'card [CARD], mail me at [EMAIL]'
"""

from tandem.privacy.checksums import iban_valid, luhn_valid
from tandem.privacy.scan import DEFAULT_REGION, PrivacyScan, PrivacyScanner, placeholder, redact, scan

__all__ = [
    "DEFAULT_REGION",
    "PrivacyScan",
    "PrivacyScanner",
    "iban_valid",
    "luhn_valid",
    "placeholder",
    "redact",
    "scan",
]
