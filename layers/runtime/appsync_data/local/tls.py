"""TLS for the local API: a local certificate authority and a server certificate it signs.

The real client always opens `wss://` for subscriptions (it rewrites `http://` to `wss://`), so the
local API serves HTTPS and WSS on its one port. Made once, kept in the local folder:

    .local/tls/ca.pem        the local CA's certificate: what Node and browsers are told to trust
    .local/tls/ca-key.pem    the CA's private key (mode 0600)
    .local/tls/server.pem    the server certificate for 127.0.0.1, ::1, localhost and the host
    .local/tls/server-key.pem  its private key (mode 0600)

The CA may sign only server certificates for loopback names (name constraints), so trusting it
trusts nothing else even if its key leaked. A server certificate that does not name the host the
server listens on, or expires within a week, is made anew (the CA stays: trust survives).
"""

from __future__ import annotations

import datetime
import ipaddress
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from appsync_data.local.state import LocalState, _write_atomic

CA_DAYS = 3650
SERVER_DAYS = 397  # browsers refuse server certificates valid for longer
RENEW_BEFORE = datetime.timedelta(days=7)
LOOPBACK_NAMES = ("localhost",)
LOOPBACK_ADDRESSES = ("127.0.0.1", "::1")

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class TlsFiles:
    folder: Path

    @property
    def ca_cert(self) -> Path:
        return self.folder / "ca.pem"

    @property
    def ca_key(self) -> Path:
        return self.folder / "ca-key.pem"

    @property
    def server_cert(self) -> Path:
        return self.folder / "server.pem"

    @property
    def server_key(self) -> Path:
        return self.folder / "server-key.pem"

    @classmethod
    def of(cls, state: LocalState) -> TlsFiles:
        return cls(state.folder / "tls")


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _load_key(path: Path) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"{path}: not an EC private key")
    return key


def _host_names(host: str) -> tuple[list[str], list[IpAddress]]:
    names = list(LOOPBACK_NAMES)
    addresses: list[IpAddress] = [ipaddress.ip_address(a) for a in LOOPBACK_ADDRESSES]
    try:
        address = ipaddress.ip_address(host)
        if address not in addresses and not address.is_unspecified:
            addresses.append(address)
    except ValueError:
        if host and host not in names:
            names.append(host)
    return names, addresses


def _make_ca(files: TlsFiles) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "appsync-data local dev CA")])
    now = _now()
    permitted: list[x509.GeneralName] = [x509.DNSName(n) for n in LOOPBACK_NAMES]
    permitted += [
        x509.IPAddress(ipaddress.ip_network("127.0.0.0/8")),
        x509.IPAddress(ipaddress.ip_network("::1/128")),
    ]
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
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
        .add_extension(
            x509.NameConstraints(permitted_subtrees=permitted, excluded_subtrees=None),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_atomic(files.ca_key, _key_pem(key), private=True)
    _write_atomic(files.ca_cert, cert.public_bytes(serialization.Encoding.PEM))
    return cert, key


def load_or_make_ca(files: TlsFiles) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    if files.ca_cert.exists() and files.ca_key.exists():
        cert = x509.load_pem_x509_certificate(files.ca_cert.read_bytes())
        if cert.not_valid_after_utc - RENEW_BEFORE > _now():
            return cert, _load_key(files.ca_key)
    return _make_ca(files)


def _server_cert_fits(files: TlsFiles, ca: x509.Certificate, host: str) -> bool:
    if not (files.server_cert.exists() and files.server_key.exists()):
        return False
    cert = x509.load_pem_x509_certificate(files.server_cert.read_bytes())
    if cert.issuer != ca.subject or cert.not_valid_after_utc - RENEW_BEFORE < _now():
        return False
    ca_public = ca.public_key()
    if not isinstance(ca_public, ec.EllipticCurvePublicKey):
        return False
    try:
        ca_public.verify(cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    names, addresses = _host_names(host)
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return set(names) <= set(san.get_values_for_type(x509.DNSName)) and set(addresses) <= set(
        san.get_values_for_type(x509.IPAddress)
    )


def _make_server_cert(
    files: TlsFiles, ca: x509.Certificate, ca_key: ec.EllipticCurvePrivateKey, host: str
) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    names, addresses = _host_names(host)
    alt_names: list[x509.GeneralName] = [x509.DNSName(n) for n in names]
    alt_names += [x509.IPAddress(a) for a in addresses]
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=SERVER_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    _write_atomic(files.server_key, _key_pem(key), private=True)
    _write_atomic(files.server_cert, cert.public_bytes(serialization.Encoding.PEM))


def ensure_tls_files(state: LocalState, host: str) -> TlsFiles:
    """The local CA and a server certificate for `host`, made when missing, unfit or expiring."""
    files = TlsFiles.of(state)
    files.folder.mkdir(parents=True, exist_ok=True)
    files.folder.chmod(0o700)
    ca, ca_key = load_or_make_ca(files)
    if not _server_cert_fits(files, ca, host):
        _make_server_cert(files, ca, ca_key, host)
    return files


def server_context(files: TlsFiles) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(files.server_cert, files.server_key)
    context.set_alpn_protocols(["http/1.1"])
    return context


def client_context(files: TlsFiles) -> ssl.SSLContext:
    """What a Python client uses to trust the local API (tests, bench)."""
    return ssl.create_default_context(cafile=str(files.ca_cert))
