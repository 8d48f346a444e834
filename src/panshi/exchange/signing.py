"""Node signatures behind a small interface: Ed25519 now, SM2 (国密) can be added as another scheme.

A public key is exchanged as text, `<algorithm>:<base64 of the raw key>`; signatures are base64.
"""

from __future__ import annotations

import base64
import binascii
from typing import Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from panshi.core.errors import PanshiError


class BadKey(PanshiError):
    code = "bad_key"
    status_code = 422


class Signer(Protocol):
    """A node's private key, able to sign."""

    algorithm: str

    def sign(self, message: bytes) -> str: ...

    def public_key(self) -> str: ...


class Scheme(Protocol):
    """One signature algorithm: make keys, load a private key, verify with a public key."""

    name: str

    def generate(self) -> bytes: ...  # the private key as PEM (PKCS#8)

    def load(self, pem: bytes) -> Signer: ...

    def verify(self, public_key: str, message: bytes, signature: str) -> bool: ...

    def check_public_key(self, public_key: str) -> str: ...  # normalised, or BadKey


class _Ed25519Signer:
    algorithm = "ed25519"

    def __init__(self, key: Ed25519PrivateKey) -> None:
        self._key = key

    def sign(self, message: bytes) -> str:
        return base64.b64encode(self._key.sign(message)).decode()

    def public_key(self) -> str:
        raw = self._key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return f"{self.algorithm}:{base64.b64encode(raw).decode()}"

    def __repr__(self) -> str:  # never the key itself, whatever prints or logs this object
        return f"<ed25519 signer {self.public_key()}>"


class Ed25519Scheme:
    name = "ed25519"

    def generate(self) -> bytes:
        return Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    def load(self, pem: bytes) -> Signer:
        key = serialization.load_pem_private_key(pem, password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise BadKey("节点私钥文件不是 Ed25519 私钥", code="bad_key_file")
        return _Ed25519Signer(key)

    def _raw(self, public_key: str) -> bytes:
        algorithm, _, encoded = public_key.strip().partition(":")
        if algorithm != self.name:
            raise BadKey(f"公钥须为“{self.name}:<base64>”格式")
        try:
            raw = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise BadKey("公钥不是有效的 base64 编码") from None
        if len(raw) != 32:
            raise BadKey(f"Ed25519 公钥应为 32 字节，实际为 {len(raw)} 字节")
        return raw

    def check_public_key(self, public_key: str) -> str:
        raw = self._raw(public_key)
        Ed25519PublicKey.from_public_bytes(raw)
        return f"{self.name}:{base64.b64encode(raw).decode()}"

    def verify(self, public_key: str, message: bytes, signature: str) -> bool:
        try:
            key = Ed25519PublicKey.from_public_bytes(self._raw(public_key))
            key.verify(base64.b64decode(signature, validate=True), message)
        except (BadKey, InvalidSignature, binascii.Error, ValueError):
            return False
        return True


SCHEMES: dict[str, Scheme] = {"ed25519": Ed25519Scheme()}


def scheme(name: str) -> Scheme:
    """The signature scheme `name`, or a clear error naming the supported ones."""
    try:
        return SCHEMES[name]
    except KeyError:
        raise BadKey(f"不支持的签名算法 {name!r}；可用：{', '.join(SCHEMES)}", code="bad_algorithm") from None


def algorithm_of(public_key: str) -> str:
    return public_key.strip().partition(":")[0]


def check_public_key(public_key: str) -> str:
    """A peer's public key as given (`<algorithm>:<base64>`), checked and normalised, or BadKey."""
    return scheme(algorithm_of(public_key)).check_public_key(public_key)


def verify(public_key: str, message: bytes, signature: str) -> bool:
    """True when `signature` over `message` was made by the key whose public half is `public_key`."""
    name = algorithm_of(public_key)
    return name in SCHEMES and SCHEMES[name].verify(public_key, message, signature)
