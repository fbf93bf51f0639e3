"""SHA-256 as hex, without loading OpenSSL when Python has its own.

`hashlib` picks OpenSSL's implementation, and loading libcrypto costs a preset run more than all the
hashing it does; CPython's built-in module gives the same digest.
"""

from __future__ import annotations

try:
    from _sha256 import sha256  # Python 3.10 and 3.11
except ImportError:  # pragma: no cover - the module's name from 3.12, or a build without built-in hashes
    try:
        from _sha2 import sha256
    except ImportError:
        from hashlib import sha256


def sha256_hex(text: str) -> str:
    return sha256(text.encode()).hexdigest()
