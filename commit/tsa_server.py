"""A real RFC 3161 time-stamping authority: ``openssl ts -reply`` behind HTTP on loopback.

    POST /   Content-Type: application/timestamp-query; body: one DER TimeStampReq
             -> 200 application/timestamp-reply: openssl's TimeStampResp (a granted token with
                SHA-256, ESS signing-certificate v2 and, when asked for, the TSA's certificate;
                or a rejection status for a request it will not stamp, e.g. an unknown hash)
             -> 400 not a TimeStampReq; 411 no Content-Length; 413 over :data:`MAX_QUERY` bytes;
                415 another content type; 404 another path; 405 another method;
                503 openssl failed (the reason is one line on the server's stderr)

A TSA directory (:func:`create_tsa_directory`, ``modelprint tsa init``) holds:

    root.pem   the root CA certificate; verifiers pin it (``--trust-tsa DIR/root.pem``)
    tsa.pem    the TSA's certificate, signed by the root (extendedKeyUsage timeStamping, critical)
    tsa.key    the TSA's private key (PEM, 0600)
    serial     the next token serial number (openssl advances it; keep it with the key)
    tsa.cnf    openssl's ``ts`` configuration (rewritten whenever a server starts)

The root CA's private key is discarded once it has signed the TSA certificate: nothing can be
issued under the pinned root afterwards. To renew, create a new directory and pin its root.

Nothing here is mocked: the tokens are what a production TSA sends. One server per directory
(the serial file is advanced under a lock held only within one process).
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ..protocol.errors import ConfigError, DecodeError, InputError, TransportError
from ..runtime.files import check_private_mode, read_bytes, write_atomic
from ..runtime.http import BadRequest, QuietThreadingServer, StrictRequestHandler, read_body

__all__ = [
    "MAX_QUERY",
    "QUERY_TYPE",
    "REPLY_TYPE",
    "TSADirectory",
    "TSAServer",
    "create_tsa_directory",
    "load_tsa_directory",
]

MAX_QUERY = 16 * 1024
"""The largest time-stamp query the server reads (bytes); larger requests get 413."""

QUERY_TYPE = "application/timestamp-query"
REPLY_TYPE = "application/timestamp-reply"

POLICY = "2.25.170563338632591237539763578005155492316"
"""The TSA policy OID its tokens carry (an X.667 UUID arc: modelprint's local TSA, no promises)."""

ROOT_DAYS = 3650
MAX_NAME = 56  # the root is "<name> Root CA": a common name holds 64 characters
TSA_DAYS = 1825

_FILES = ("root.pem", "tsa.pem", "tsa.key")
_OPENSSL_TIMEOUT = 30.0

# Paths relative to the directory: openssl runs with it as the working directory, so no path is
# ever parsed by openssl's config syntax (which expands '$' and strips '#').
_CONFIG = f"""\
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
serial = ./serial
crypto_device = builtin
signer_cert = ./tsa.pem
signer_key = ./tsa.key
signer_digest = sha256
default_policy = {POLICY}
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


@dataclass(frozen=True)
class TSADirectory:
    """The files of a TSA: root CA certificate, the TSA's certificate and key (PEM)."""

    folder: Path
    root_cert: Path
    tsa_cert: Path
    tsa_key: Path
    name: str


def _directory(folder: Path, name: str) -> TSADirectory:
    root, cert, key = (folder / n for n in _FILES)
    return TSADirectory(folder, root, cert, key, name)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "modelprint"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key_usage(*, sign_certs: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not sign_certs,
        content_commitment=not sign_certs,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=sign_certs,
        crl_sign=sign_certs,
        encipher_only=False,
        decipher_only=False,
    )


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def create_tsa_directory(
    folder: str | Path,
    name: str = "modelprint TSA",
    *,
    now: dt.datetime | None = None,
    tsa_days: int = TSA_DAYS,
    eku_critical: bool = True,
) -> TSADirectory:
    """Create a root CA and a TSA certificate and key under ``folder`` (created if missing).

    Certificates are valid from a day before ``now`` (default: the current time), the root for
    :data:`ROOT_DAYS` days, the TSA's for ``tsa_days``. ``eku_critical=False`` makes a TSA
    certificate verifiers must refuse (tests). Files already in ``folder`` are replaced; the CLI
    refuses a folder that is not empty before calling this.
    """
    if not name.strip() or len(name) > MAX_NAME:
        raise ConfigError(f"TSA name {name!r}: must be 1 to {MAX_NAME} characters")
    if tsa_days < 1:
        raise ConfigError(f"tsa_days {tsa_days}: must be positive")
    base = Path(folder)
    base.mkdir(parents=True, exist_ok=True)
    start = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(days=1)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = (
        x509.CertificateBuilder()
        .subject_name(_name(f"{name} Root CA"))
        .issuer_name(_name(f"{name} Root CA"))
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=ROOT_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(sign_certs=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), False)
        .sign(root_key, hashes.SHA256())
    )
    tsa_key = ec.generate_private_key(ec.SECP256R1())
    tsa = (
        x509.CertificateBuilder()
        .subject_name(_name(name))
        .issuer_name(root.subject)
        .public_key(tsa_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=min(tsa_days, ROOT_DAYS)))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(sign_certs=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), eku_critical)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), False
        )
        .sign(root_key, hashes.SHA256())
    )
    directory = _directory(base, name)
    key_pem = tsa_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    write_atomic(directory.tsa_key, key_pem, mode=0o600)
    write_atomic(directory.tsa_cert, _pem(tsa))
    write_atomic(directory.root_cert, _pem(root))
    write_atomic(base / "serial", b"01\n")
    write_atomic(base / "tsa.cnf", _CONFIG.encode("ascii"))
    return directory


def load_tsa_directory(folder: str | Path) -> TSADirectory:
    """The TSA in ``folder``: its three files present, certificates readable, key private."""
    base = Path(folder)
    if not base.is_dir():
        raise ConfigError(f"{base}: no such TSA directory (create it with modelprint tsa init)")
    missing = [n for n in _FILES if not (base / n).is_file()]
    if missing:
        raise ConfigError(
            f"{base}: not a TSA directory (no {', '.join(missing)}); create one with "
            "modelprint tsa init"
        )
    directory = _directory(base, "TSA")
    for path in (directory.root_cert, directory.tsa_cert):
        try:
            cert = x509.load_pem_x509_certificate(read_bytes(path, max_size=64 * 1024))
        except ValueError:
            raise DecodeError(f"{path}: not a PEM certificate") from None
    check_private_mode(directory.tsa_key)
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)  # the TSA's (read last)
    return _directory(base, str(names[0].value) if names else "TSA")


def _find_openssl(program: str) -> str:
    found = shutil.which(program)
    if found is None:
        raise ConfigError(
            f"{program}: not found on PATH; the TSA signs with 'openssl ts -reply' "
            "(install OpenSSL 1.1 or later)"
        )
    return found


# what asn1crypto raises for bytes that are not the structure asked for (a fuzz found each)
_NOT_THAT_STRUCTURE = (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError)


def _check_query(query: bytes) -> None:
    """Refuse bytes that are not one DER TimeStampReq (v1) before openssl sees them."""
    from asn1crypto import tsp

    try:
        request = tsp.TimeStampReq.load(query, strict=True)
        request.native  # noqa: B018  (parses every field)
        if request["version"].native != "v1":
            raise ValueError("version")
    except _NOT_THAT_STRUCTURE:
        raise BadRequest(HTTPStatus.BAD_REQUEST, "not an RFC 3161 TimeStampReq") from None


class _Handler(StrictRequestHandler):
    server_version = "modelprint-tsa/1"
    sys_version = ""
    timeout = 30
    server: TSAServer

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        if self.path.split("?", 1)[0] != "/":
            raise BadRequest(HTTPStatus.NOT_FOUND, "not found; POST time-stamp queries to /")
        kind = self.headers.get("Content-Type", QUERY_TYPE).split(";", 1)[0].strip().lower()
        if kind != QUERY_TYPE:
            raise BadRequest(
                HTTPStatus.UNSUPPORTED_MEDIA_TYPE, f"Content-Type must be {QUERY_TYPE}"
            )
        query = read_body(self.headers, self.rfile, limit=MAX_QUERY)
        _check_query(query)
        try:
            reply = self.server.reply(query)
        except TransportError as exc:
            self.close_connection = True
            self.server.say(str(exc))
            self._send(
                HTTPStatus.SERVICE_UNAVAILABLE,
                b"time-stamping failed\n",
                "text/plain; charset=utf-8",
            )
            return
        self._send(HTTPStatus.OK, reply, REPLY_TYPE)

    def do_GET(self) -> None:
        raise BadRequest(HTTPStatus.METHOD_NOT_ALLOWED, f"POST an {QUERY_TYPE} to /")

    do_HEAD = do_GET


class TSAServer(QuietThreadingServer):
    """The TSA of ``directory`` behind HTTP on ``host:port`` (0: a free port).

    Raises :class:`ConfigError` when ``openssl`` is missing and :class:`InputError` when the
    directory cannot be written (before binding); ``OSError`` when the port cannot be bound.
    """

    log_prefix = "tsa: "

    def __init__(
        self,
        directory: TSADirectory,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        verbose: bool = False,
        openssl: str = "openssl",
    ) -> None:
        self.directory = directory
        self.openssl = _find_openssl(openssl)
        self.config = directory.folder / "tsa.cnf"
        serial = directory.folder / "serial"
        try:
            write_atomic(self.config, _CONFIG.encode("ascii"))
            if not serial.exists():
                write_atomic(serial, b"01\n")
        except OSError as exc:
            raise InputError(f"{directory.folder}: cannot write ({exc.strerror})") from None
        self.verbose = verbose
        self._lock = threading.Lock()
        super().__init__((host, port), _Handler)

    def say(self, line: str) -> None:
        """One line on stderr (an openssl failure: the reason, never a key)."""
        sys.stderr.write(f"{self.log_prefix}{line}\n")

    def reply(self, query: bytes) -> bytes:
        """``openssl ts -reply`` to the DER ``query``; raises :class:`TransportError` when it fails."""
        with self._lock, tempfile.TemporaryDirectory(prefix="modelprint-tsa-") as tmp:
            q, r = Path(tmp) / "query.tsq", Path(tmp) / "reply.tsr"
            q.write_bytes(query)
            command = [self.openssl, "ts", "-reply", "-config", str(self.config.resolve()),
                       "-queryfile", str(q), "-out", str(r)]  # fmt: skip
            try:
                done = subprocess.run(
                    command,
                    cwd=self.directory.folder,
                    capture_output=True,
                    timeout=_OPENSSL_TIMEOUT,
                    check=False,
                )
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise TransportError(f"openssl ts -reply failed ({exc})") from None
            if done.returncode != 0 or not r.is_file():
                lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
                reason = lines[-1][:200] if lines else f"exit status {done.returncode}"
                raise TransportError(f"openssl ts -reply failed ({reason})")
            return r.read_bytes()
