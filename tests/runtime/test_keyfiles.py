"""Key files are recognised by kind before their permissions are judged; errors name the file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from modelprint.commit.identity import Identity
from modelprint.protocol.errors import ConfigError, InputError, KeyFileError, KeyPermissionError
from modelprint.protocol.trust import AnyOf, PinnedLog, UnsafeClaimedTime, pins
from modelprint.runtime.keyfiles import (
    load_log_key,
    load_private_key,
    load_public_key,
    load_trust_policy,
    load_tsa_roots,
)


@pytest.fixture
def identity_files(tmp_path: Path) -> tuple[Path, Path]:
    key = tmp_path / "ID.key"
    pub = Identity.generate().save(key)
    return key, pub


def test_a_public_key_where_a_private_key_belongs_says_so_not_chmod(
    identity_files: tuple[Path, Path],
) -> None:
    _, pub = identity_files
    os.chmod(pub, 0o644)
    with pytest.raises(KeyFileError) as caught:
        load_private_key(pub)
    assert "public key" in str(caught.value) and str(pub) in str(caught.value)
    assert "chmod" not in str(caught.value)


def test_a_private_key_with_open_permissions_is_refused(identity_files: tuple[Path, Path]) -> None:
    key, _ = identity_files
    os.chmod(key, 0o644)
    with pytest.raises(KeyPermissionError, match="chmod 600"):
        load_private_key(key)


def test_a_private_key_where_a_public_key_belongs_is_named(
    identity_files: tuple[Path, Path],
) -> None:
    key, _ = identity_files
    for loader in (load_public_key, load_log_key):
        with pytest.raises(KeyFileError, match="private key"):
            loader(key)


def test_keys_of_another_algorithm_are_a_key_file_error(tmp_path: Path) -> None:
    private = ec.generate_private_key(ec.SECP256R1())
    key = tmp_path / "p256.key"
    key.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    os.chmod(key, 0o600)
    pub = tmp_path / "p256.pub"
    pub.write_bytes(
        private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    with pytest.raises(KeyFileError, match="Ed25519"):
        load_private_key(key)
    with pytest.raises(KeyFileError, match="Ed25519"):
        load_public_key(pub)


def test_a_pem_log_key_is_pinned_not_ignored(identity_files: tuple[Path, Path]) -> None:
    _, pub = identity_files
    pinned = load_log_key(pub)
    assert isinstance(pinned, PinnedLog) and pinned.name is None and len(pinned.public_key) == 32


def test_a_key_is_not_a_tsa_root(identity_files: tuple[Path, Path]) -> None:
    _, pub = identity_files
    with pytest.raises(InputError, match="not a TSA root"):
        load_tsa_roots(pub)


def test_the_trust_policy_is_built_once_from_the_pins(identity_files: tuple[Path, Path]) -> None:
    _, pub = identity_files
    policy = load_trust_policy([pub, pub])
    assert isinstance(policy, AnyOf) and len(list(pins(policy))) == 2
    assert isinstance(load_trust_policy(unsafe_claimed_time=True), UnsafeClaimedTime)
    with pytest.raises(ConfigError):
        load_trust_policy([pub], unsafe_claimed_time=True)
    assert list(pins(load_trust_policy())) == []
