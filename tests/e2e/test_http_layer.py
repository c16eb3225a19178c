"""The local server's HTTP layer (uvicorn over TLS): keep-alive, and AppSync-shaped JSON for the
errors answered before any GraphQL runs."""

from __future__ import annotations

import json
import socket
import ssl
from urllib.parse import urlsplit

import requests
from e2e_helpers import TEST_CA, DevServerProcess


def test_keep_alive_serves_many_requests_on_one_connection(
    userpool_server: DevServerProcess,
) -> None:
    token = userpool_server.token("alice")
    with requests.Session() as session:
        for _ in range(5):
            response = session.post(
                userpool_server.graphql_url,
                json={"query": "{ listTodos(limit: 1) { items { id } } }"},
                headers={"authorization": token},
                timeout=10,
            )
            assert response.status_code == 200
            assert response.headers.get("connection", "keep-alive").lower() != "close"
        pool = session.get_adapter(userpool_server.graphql_url).poolmanager  # type: ignore[attr-defined]
        connections = [p.num_connections for p in pool.pools._container.values()]
        assert connections == [1]


def test_oversized_headers_get_a_json_431(userpool_server: DevServerProcess) -> None:
    response = requests.post(
        userpool_server.graphql_url, data=b"{}", headers={"x-big": "x" * 100_000}, timeout=10
    )
    assert response.status_code == 431
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["errors"][0]["errorType"] == "BadRequestException"


def test_a_bad_host_header_gets_a_json_400(userpool_server: DevServerProcess) -> None:
    token = userpool_server.token("alice")
    response = requests.post(
        userpool_server.graphql_url,
        data=b"{}",
        headers={"host": "[bad", "authorization": token},
        timeout=10,
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["errorType"] == "BadRequestException"
    assert "Traceback" not in response.text


def test_garbage_over_tls_gets_a_json_400(userpool_server: DevServerProcess) -> None:
    url = urlsplit(userpool_server.url)
    context = ssl.create_default_context(cafile=str(TEST_CA.ca_cert))
    with (
        socket.create_connection((url.hostname, url.port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname=url.hostname) as tls,
    ):
        tls.sendall(b"NOT HTTP AT ALL\r\n\r\n")
        answer = b""
        while chunk := tls.recv(4096):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400")
    assert json.loads(body)["errors"][0]["errorType"] == "BadRequestException"


def test_plain_http_on_the_tls_port_gets_a_json_answer_not_a_hang(
    userpool_server: DevServerProcess,
) -> None:
    plain = userpool_server.url.replace("https://", "http://") + "/graphql"
    response = requests.post(plain, data=b"{}", timeout=5)
    assert response.status_code == 400
    assert "https://" in response.json()["errors"][0]["message"]


def test_an_undefined_field_is_worded_as_appsync_words_it(
    userpool_server: DevServerProcess,
) -> None:
    response = userpool_server.post(
        "query {\n  listTodos {\n    items { id bogus }\n  }\n}",
        token=userpool_server.token("alice"),
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == (
        "Validation error of type FieldUndefined: Field 'bogus' in type 'Todo' is undefined "
        "@ 'listTodos/items/bogus'"
    )


def test_the_local_ca_and_keys_are_private(userpool_server: DevServerProcess) -> None:
    tls = userpool_server.local_dir / "tls"
    assert tls.stat().st_mode & 0o077 == 0
    for key in ("ca-key.pem", "server-key.pem"):
        assert (tls / key).stat().st_mode & 0o077 == 0, key
    outputs = json.loads(userpool_server.outputs_path.read_text())
    assert outputs["data"]["url"].startswith("https://127.0.0.1:")
    assert f"NODE_EXTRA_CA_CERTS={(tls / 'ca.pem').resolve()}" in userpool_server.output()
