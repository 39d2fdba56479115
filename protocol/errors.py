"""The one error hierarchy of modelprint.

Every failure a user can cause (a bad file, a wrong key, a hostile server reply) is raised as a
subclass of :class:`ModelprintError`; the CLI turns it into one line on stderr and an exit code.
Messages never contain secret material.

    ModelprintError
    ├── InputError                    bad input: exit code 2
    │   ├── DecodeError (ValueError)  truncated, garbage or over-long bytes
    │   │   ├── NonCanonicalError     decodes, but is not the one canonical encoding
    │   │   ├── SizeLimitError        a length beyond the documented bounds
    │   │   ├── FileKindError         a valid document of another kind than expected
    │   │   └── UnsupportedVersionError  a record version this implementation does not know
    │   ├── ConfigError (ValueError)  a parameter value out of range
    │   ├── ExportError (ValueError)  a record that the format asked for cannot carry
    │   ├── BadRequest                an HTTP request a server refuses (modelprint.runtime.http)
    │   └── KeyFileError              a key file that cannot be used
    │       ├── KeyPermissionError    readable by group or others
    │       └── PassphraseError       missing or wrong passphrase
    ├── VerificationError             evidence that does not hold: exit code 1
    │   ├── SignatureError            a signature that does not verify
    │   ├── ProofError                a Merkle proof that does not verify
    │   ├── CommitmentError           a reveal or record inconsistent with its commitment
    │   ├── TimeEvidenceError         time evidence that is missing, untrusted or invalid
    │   │   ├── LogError              transparency-log proofs, checkpoints and cosignatures
    │   │   │   └── WitnessRefusal    a checkpoint a witness will not cosign (protocol.cosignature)
    │   │   └── TimestampError        RFC 3161 tokens
    │   └── ChainError                a license chain whose links do not hold
    ├── StateError                    an illegal transition of a protocol state machine
    └── TransportError                a server or responder that failed (timeouts, 5xx, garbage)
        └── WitnessConflict           a witness that last cosigned another size (commit.witness_client)
"""

from __future__ import annotations

__all__ = [
    "ChainError",
    "CommitmentError",
    "ConfigError",
    "DecodeError",
    "ExportError",
    "FileKindError",
    "InputError",
    "KeyFileError",
    "KeyPermissionError",
    "LogError",
    "ModelprintError",
    "NonCanonicalError",
    "PassphraseError",
    "ProofError",
    "SignatureError",
    "SizeLimitError",
    "StateError",
    "TimeEvidenceError",
    "TimestampError",
    "TransportError",
    "UnsupportedVersionError",
    "VerificationError",
]


class ModelprintError(Exception):
    """Base class of every error modelprint raises on purpose."""

    exit_code: int = 2

    def diagnostics(self) -> str:
        """A one-line account of the failure with the error's class (never secret material)."""
        return f"{type(self).__name__}: {self.summary()}"

    def summary(self) -> str:
        """The one line a person reads: what is wrong and where, without Python class names
        (the error's own text, or what its kind means when it has none)."""
        text = str(self).strip().replace("\n", " ")
        if text:
            return text
        doc = (type(self).__doc__ or "failed").strip().splitlines()[0]
        return doc.rstrip(".")


class InputError(ModelprintError):
    """The input cannot be used as given (exit code 2)."""

    exit_code = 2


class DecodeError(InputError, ValueError):
    """Bytes that do not decode: truncated, garbage, wrong types."""


class NonCanonicalError(DecodeError):
    """Bytes that decode, but are not the one canonical encoding of their value."""


class SizeLimitError(DecodeError):
    """A length, count or size beyond the documented bounds."""


class FileKindError(DecodeError):
    """A well-formed document of another kind than the one expected."""


class UnsupportedVersionError(DecodeError):
    """A record or file version this implementation does not know."""


class ConfigError(InputError, ValueError):
    """A parameter with a value out of its range."""


class ExportError(InputError, ValueError):
    """A bundle that cannot be exported as asked (no such record, no log proof, wrong key)."""


class KeyFileError(InputError):
    """A key file that cannot be used."""


class KeyPermissionError(KeyFileError):
    """A secret file readable by group or others."""


class PassphraseError(KeyFileError):
    """A passphrase that is missing or wrong."""


class VerificationError(ModelprintError):
    """Evidence that does not hold (exit code 1)."""

    exit_code = 1


class SignatureError(VerificationError):
    """A signature that does not verify."""


class ProofError(VerificationError):
    """A Merkle proof that does not verify."""


class CommitmentError(VerificationError):
    """A record or reveal inconsistent with the commitment it claims."""


class TimeEvidenceError(VerificationError):
    """Time evidence that is missing, untrusted or invalid."""


class LogError(TimeEvidenceError):
    """A transparency-log proof or checkpoint that does not hold."""


class TimestampError(TimeEvidenceError):
    """An RFC 3161 timestamp token that does not hold."""


class ChainError(VerificationError):
    """A license chain whose links do not hold."""


class StateError(ModelprintError):
    """An operation that the protocol state machine does not allow in its current state."""

    exit_code = 2


class TransportError(ModelprintError):
    """A remote party (log, TSA, model API) that failed or answered garbage."""

    exit_code = 2
