"""Encrypted backup files: AES-256-GCM in 1 MiB chunks, the key derived from a passphrase with scrypt.

Layout: a fixed header (magic, scrypt cost, salt, nonce prefix, key check), then chunks, each
``final flag (1 byte) | ciphertext length (4 bytes) | ciphertext``. A chunk's nonce is the nonce
prefix, the chunk's number and its final flag (the STREAM construction), and the header is its
associated data: reordered, dropped, truncated or altered chunks, and an altered header, all fail
to decrypt. The key check (the second half of the scrypt output) tells a wrong key apart from a
damaged file before any chunk is read. The whole file never sits in memory, and no plaintext is
written to disk.
"""

from __future__ import annotations

import hmac
import os
import struct
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"PORTAL-BACKUP-AES256GCM-1\n"
CHUNK = 1 << 20
# scrypt cost: 2**15 x 8 blocks = 32 MiB and about 0.1 s, once per file.
LOG2_N, R, P = 15, 8, 1
_HEADER = struct.Struct(">BBB16s7s32s")
_CHUNK_HEAD = struct.Struct(">BI")


class CryptoError(Exception):
    """The file cannot be decrypted: wrong key, or damaged."""


def is_encrypted(first_bytes: bytes) -> bool:
    return first_bytes.startswith(MAGIC)


def _derive(passphrase: str, salt: bytes, log2_n: int, r: int, p: int) -> tuple[bytes, bytes]:
    if not passphrase:
        raise CryptoError("no backup key given")
    if not 10 <= log2_n <= 22 or not 1 <= r <= 32 or not 1 <= p <= 16:
        raise CryptoError("the file's key-derivation parameters are out of range (damaged file?)")
    out = Scrypt(salt=salt, length=64, n=2**log2_n, r=r, p=p).derive(passphrase.encode())
    return out[:32], out[32:]


def _nonce(prefix: bytes, counter: int, final: bool) -> bytes:
    return prefix + struct.pack(">IB", counter, 1 if final else 0)


class EncryptingWriter:
    """A write-only binary stream that encrypts into ``raw``; ``close()`` writes the final chunk."""

    def __init__(self, raw: BinaryIO, passphrase: str) -> None:
        salt, prefix = os.urandom(16), os.urandom(7)
        key, check = _derive(passphrase, salt, LOG2_N, R, P)
        self._header = MAGIC + _HEADER.pack(LOG2_N, R, P, salt, prefix, check)
        self._raw, self._aead, self._prefix = raw, AESGCM(key), prefix
        self._buffer = bytearray()
        self._counter = 0
        self._closed = False
        raw.write(self._header)

    def _emit(self, data: bytes, final: bool) -> None:
        if self._counter >= 2**32 - 1:
            raise CryptoError("backup too large for one encrypted file")
        sealed = self._aead.encrypt(_nonce(self._prefix, self._counter, final), data, self._header)
        self._raw.write(_CHUNK_HEAD.pack(1 if final else 0, len(sealed)) + sealed)
        self._counter += 1

    def write(self, data: bytes) -> int:
        self._buffer += data
        while len(self._buffer) > CHUNK:  # keep at least one byte back: the last chunk must be the final one
            self._emit(bytes(self._buffer[:CHUNK]), final=False)
            del self._buffer[:CHUNK]
        return len(data)

    def flush(self) -> None:
        """Nothing to do: chunks go out when full (gzip calls this)."""

    def close(self) -> None:
        if not self._closed:
            self._emit(bytes(self._buffer), final=True)
            self._buffer.clear()
            self._closed = True


class DecryptingReader:
    """A read-only binary stream of the plaintext of an encrypted file; raises :class:`CryptoError`."""

    def __init__(self, raw: BinaryIO, passphrase: str) -> None:
        header = raw.read(len(MAGIC) + _HEADER.size)
        if len(header) < len(MAGIC) + _HEADER.size or not header.startswith(MAGIC):
            raise CryptoError("not an encrypted portal backup, or its header is cut short")
        log2_n, r, p, salt, prefix, check = _HEADER.unpack(header[len(MAGIC) :])
        key, expected = _derive(passphrase, salt, log2_n, r, p)
        if not hmac.compare_digest(check, expected):
            raise CryptoError("wrong backup key: PORTAL_BACKUP_KEY does not open this file")
        self._raw, self._aead, self._prefix, self._header = raw, AESGCM(key), prefix, header
        self._counter = 0
        self._buffer = b""
        self._done = False

    def _next_chunk(self) -> None:
        head = self._raw.read(_CHUNK_HEAD.size)
        if len(head) < _CHUNK_HEAD.size:
            raise CryptoError("the file is cut short (its last chunk is missing)")
        final, length = _CHUNK_HEAD.unpack(head)
        if final not in (0, 1) or length > CHUNK + 16:
            raise CryptoError(f"the file is damaged (chunk {self._counter})")
        sealed = self._raw.read(length)
        if len(sealed) < length:
            raise CryptoError(f"the file is cut short (in chunk {self._counter})")
        try:
            self._buffer = self._aead.decrypt(_nonce(self._prefix, self._counter, bool(final)), sealed, self._header)
        except InvalidTag:
            raise CryptoError(f"the file is damaged or was altered (chunk {self._counter})") from None
        self._counter += 1
        if final:
            if self._raw.read(1):
                raise CryptoError("the file has data after its final chunk")
            self._done = True

    def read(self, size: int = -1) -> bytes:
        parts = []
        wanted = size if size >= 0 else float("inf")
        while wanted > 0:
            if not self._buffer:
                if self._done:
                    break
                self._next_chunk()
                continue
            take = self._buffer[: int(min(wanted, len(self._buffer)))]
            self._buffer = self._buffer[len(take) :]
            parts.append(take)
            wanted -= len(take)
        return b"".join(parts)

    def readable(self) -> bool:
        return True
