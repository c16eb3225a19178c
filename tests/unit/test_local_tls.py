"""The local CA and server certificate: made once, private keys 0600, the CA limited to loopback
names, a new server certificate when the host changes (same CA: trust survives)."""

from __future__ import annotations

import ipaddress
import ssl
from pathlib import Path

from appsync_data.local.state import LocalState
from appsync_data.local.tls import client_context, ensure_tls_files, server_context
from cryptography import x509


def _cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def test_made_once_private_and_kept(tmp_path: Path) -> None:
    state = LocalState.load(tmp_path / ".local")
    files = ensure_tls_files(state, "127.0.0.1")
    assert files.folder.stat().st_mode & 0o077 == 0
    for key in (files.ca_key, files.server_key):
        assert key.stat().st_mode & 0o777 == 0o600, key
    before = (files.ca_cert.read_bytes(), files.server_cert.read_bytes())
    again = ensure_tls_files(state, "127.0.0.1")
    assert (again.ca_cert.read_bytes(), again.server_cert.read_bytes()) == before


def test_the_ca_may_sign_loopback_names_only(tmp_path: Path) -> None:
    files = ensure_tls_files(LocalState.load(tmp_path / ".local"), "127.0.0.1")
    ca = _cert(files.ca_cert)
    constraints = ca.extensions.get_extension_for_class(x509.NameConstraints)
    assert constraints.critical
    permitted = constraints.value.permitted_subtrees or []
    assert {str(name.value) for name in permitted} == {"localhost", "127.0.0.0/8", "::1/128"}
    server = _cert(files.server_cert)
    names = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert ipaddress.ip_address("127.0.0.1") in names.get_values_for_type(x509.IPAddress)
    assert "localhost" in names.get_values_for_type(x509.DNSName)


def test_another_host_gets_a_new_server_certificate_from_the_same_ca(tmp_path: Path) -> None:
    state = LocalState.load(tmp_path / ".local")
    first = ensure_tls_files(state, "127.0.0.1")
    ca, server = first.ca_cert.read_bytes(), first.server_cert.read_bytes()
    second = ensure_tls_files(state, "127.0.0.2")
    assert second.ca_cert.read_bytes() == ca
    assert second.server_cert.read_bytes() != server
    names = _cert(second.server_cert).extensions.get_extension_for_class(
        x509.SubjectAlternativeName
    )
    assert ipaddress.ip_address("127.0.0.2") in names.value.get_values_for_type(x509.IPAddress)


def test_contexts_load(tmp_path: Path) -> None:
    files = ensure_tls_files(LocalState.load(tmp_path / ".local"), "127.0.0.1")
    assert server_context(files).minimum_version == ssl.TLSVersion.TLSv1_2
    assert client_context(files).verify_mode == ssl.CERT_REQUIRED
