"""What every module's demo data and benchmarks share: the demo password and fictitious SIRETs.

It sits in accounts, below the modules, so that registry, calls and valorisation can build
their demo organisations and accounts without importing `tpj.demo`, which loads them all.
"""

import hashlib

from stdnum import luhn

DEMO_PASSWORD = "demo-1000-jours"


def demo_siret(seed: str) -> str:
    """A fictitious 14-digit SIRET (valid SIREN key and SIRET key), stable for a given seed."""
    digits = str(int(hashlib.sha256(seed.encode()).hexdigest(), 16))
    siren = digits[:8] + luhn.calc_check_digit(digits[:8])
    return siren + digits[8:12] + luhn.calc_check_digit(siren + digits[8:12])
