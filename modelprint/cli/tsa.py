"""CLI: ``tsa init`` and ``tsa serve`` -- a real RFC 3161 time-stamping authority on loopback.

``tsa init --dir DIR`` creates a root CA certificate (``DIR/root.pem``, which verifiers pin with
``--trust-tsa``) and the TSA's certificate and key; ``tsa serve --dir DIR`` answers
``application/timestamp-query`` POSTs with ``openssl ts -reply``. Bundles get tokens from it with
``publish M.bundle --tsa URL`` or ``commit ... --tsa URL``.
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

from ..protocol.errors import ConfigError
from .output import Output

__all__ = ["register"]


def _init(args: argparse.Namespace, out: Output) -> int:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    from ..commit.tsa_server import create_tsa_directory
    from ..runtime.files import atomic_directory

    folder: Path = args.dir
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ConfigError(f"{folder}: already exists and is not empty (refusing to overwrite)")
    with atomic_directory(folder) as scratch:
        made = create_tsa_directory(scratch, args.name)
        root = x509.load_pem_x509_certificate(made.root_cert.read_bytes())
    digest = hashlib.sha256(root.public_bytes(serialization.Encoding.DER)).hexdigest()
    files = {n: str(folder / n) for n in ("root.pem", "tsa.pem", "tsa.key")}
    out.result(
        {"dir": str(folder), "name": args.name, "root_cert_sha256": digest, **files},
        f"wrote {files['root.pem']} (the root CA: verifiers pin it with --trust-tsa), "
        f"{files['tsa.pem']} and {files['tsa.key']} (0600)\n"
        f"root certificate SHA-256 {digest}\n"
        f"serve it with: modelprint tsa serve --dir {folder}",
    )
    return 0


def _serve(args: argparse.Namespace, out: Output) -> int:
    from ..commit.tsa_server import TSAServer, load_tsa_directory

    directory = load_tsa_directory(args.dir)
    try:
        server = TSAServer(directory, args.host, args.port, verbose=args.verbose)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ConfigError(f"cannot listen on {args.host}:{args.port} ({reason})") from None

    out.info(f"modelprint tsa {directory.name}: serving at {server.url}")
    server.serve_until_stopped()
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    tsa = sub.add_parser("tsa", help="run an RFC 3161 time-stamping authority (init, serve)")
    verbs = tsa.add_subparsers(dest="tsa_command", metavar="COMMAND", parser_class=type(tsa))

    p = verbs.add_parser(
        "init",
        help="create a TSA: root CA certificate (pin it), TSA certificate and key (0600)",
        description="Create DIR with root.pem (the root CA certificate; verifiers pin it with "
        "--trust-tsa DIR/root.pem), tsa.pem and tsa.key (0600). The root CA's key is not kept. "
        "DIR must not exist or be empty.",
    )
    p.add_argument("--dir", required=True, type=Path, metavar="DIR", help="new TSA directory")
    p.add_argument(
        "--name", default="modelprint TSA", help="the TSA's name in its certificates and tokens"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_init)

    p = verbs.add_parser(
        "serve",
        help="answer RFC 3161 time-stamp queries over HTTP (openssl ts -reply)",
        description="Serve the TSA in DIR: POST application/timestamp-query to the URL it "
        "prints; the reply is application/timestamp-reply. Needs the openssl command.",
    )
    p.add_argument(
        "--dir", required=True, type=Path, metavar="DIR", help="TSA directory (from tsa init)"
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on")
    p.add_argument("--port", type=int, default=8318, help="port to listen on (0: a free one)")
    p.add_argument("--verbose", action="store_true", help="log every request on stderr")
    p.set_defaults(func=_serve)
