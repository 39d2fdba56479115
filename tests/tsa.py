"""A real RFC 3161 time-stamping authority for tests: ``openssl ts -reply`` behind loopback HTTP.

:func:`make_pki` creates a root CA and a TSA certificate (extendedKeyUsage timeStamping, critical)
signed by it; :class:`OpenSSLTSA` answers ``application/timestamp-query`` POSTs with the reply
``openssl ts -reply`` produces (SHA-256, ESS signing-certificate v2, certificates included when the
request asks for them). Nothing here is mocked: the tokens are what a production TSA would send.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["PKI", "OpenSSLTSA", "make_pki"]


@dataclass(frozen=True)
class PKI:
    """Files of a test PKI: root CA certificate and the TSA's certificate and key (PEM)."""

    folder: Path
    root_cert: Path
    tsa_cert: Path
    tsa_key: Path
    name: str


def _name(cn: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "modelprint tests"),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def make_pki(folder: Path, name: str = "Test TSA", *, eku_critical: bool = True) -> PKI:
    """Create a root CA and a TSA certificate under ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = (
        x509.CertificateBuilder()
        .subject_name(_name(f"{name} Root CA"))
        .issuer_name(_name(f"{name} Root CA"))
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
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
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), eku_critical)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), False
        )
        .sign(root_key, hashes.SHA256())
    )
    root_path, tsa_path, key_path = (folder / n for n in ("root.pem", "tsa.pem", "tsa.key"))
    root_path.write_bytes(root.public_bytes(serialization.Encoding.PEM))
    tsa_path.write_bytes(tsa.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        tsa_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return PKI(folder, root_path, tsa_path, key_path, name)


_CONFIG = """
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = {dir}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.57264.9.1
other_policies = 1.3.6.1.4.1.57264.9.2
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


class _Handler(BaseHTTPRequestHandler):
    server: _TSAHTTPServer

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if not 0 < length <= 16384:
            self.send_error(400)
            return
        query = self.rfile.read(length)
        reply = self.server.tsa.reply(query)
        if reply is None:
            self.send_error(400)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)


class _TSAHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    tsa: OpenSSLTSA


class OpenSSLTSA:
    """An ``openssl ts -reply`` TSA on ``http://127.0.0.1:<port>/``; use as a context manager."""

    def __init__(self, pki: PKI) -> None:
        if shutil.which("openssl") is None:
            raise RuntimeError("openssl is needed for the test TSA")
        self.pki = pki
        (pki.folder / "serial").write_text("01\n")
        self.config = pki.folder / "tsa.cnf"
        self.config.write_text(_CONFIG.format(dir=pki.folder))
        self._lock = threading.Lock()
        self._http = _TSAHTTPServer(("127.0.0.1", 0), _Handler)
        self._http.tsa = self
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._http.server_address[:2]
        return f"http://{host!s}:{port}/"

    def reply(self, query: bytes) -> bytes | None:
        with self._lock, tempfile.TemporaryDirectory() as tmp:
            q, r = Path(tmp) / "q.tsq", Path(tmp) / "r.tsr"
            q.write_bytes(query)
            done = subprocess.run(
                ["openssl", "ts", "-reply", "-config", str(self.config), "-queryfile", str(q),
                 "-out", str(r)],
                capture_output=True,
                timeout=30,
            )  # fmt: skip
            if done.returncode != 0 or not r.exists():
                return None
            return r.read_bytes()

    def __enter__(self) -> OpenSSLTSA:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.shutdown()
        self._http.server_close()
