"""The local folder (`.local/` at the project root, git-ignored): dev keys, ids, secrets, data.

Created on first use and kept, so the keys persist: a token or credentials minted yesterday is
signed by the same keys (tokens still expire after `--expires-in`, an hour by default). The project
root is the nearest directory, from the schema file or the working directory upwards, that holds
`functions/data/resource.py` or `template.yaml`, so every command finds the same folder from any
subdirectory.

    .local/state.json          ids and secrets of the local "account" (mode 0600)
    .local/keys/userpool.pem   RSA key of the local user-pool issuer (mode 0600)
    .local/keys/oidc.pem       RSA key of the local OIDC issuer (mode 0600)
    .local/server.json         where the running server listens (written by `dev`)
    .local/dynamodb/*.json     table snapshots, so data survives a restart (mode 0600)
    .local/dynamodb/*.journal  writes since the last snapshot, fsync'd before each answer (0600)
"""

from __future__ import annotations

import json
import os
import secrets
import string
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

DEFAULT_FOLDER = Path(".local")
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 20002
LOCAL_REGION = "us-east-1"
LOCAL_ACCOUNT_ID = "000000000000"
LOCAL_USER_POOL_ID = f"{LOCAL_REGION}_LOCALDEV"
AUTH_ROLE_NAME = "LocalDevAuthRole"
UNAUTH_ROLE_NAME = "LocalDevUnauthRole"
_STATE_VERSION = 1
PROJECT_MARKERS = (Path("functions/data/resource.py"), Path("template.yaml"))


class LocalError(Exception):
    """A problem the user can fix: the commands print it as one line and exit with code 1."""


def find_project_root(start: Path) -> Path | None:
    """The nearest directory from `start` upwards holding one of `PROJECT_MARKERS`."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if any((folder / marker).is_file() for marker in PROJECT_MARKERS):
            return folder
    return None


def _write_atomic(path: Path, data: bytes, *, private: bool = False) -> None:
    """Write a file atomically and durably (a reader never sees half of it, and it is on disk
    when this returns); `private`: owner-only (0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
    os.replace(tmp, path)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def write_json_atomic(path: Path, value: Any, *, private: bool = False) -> None:
    data = (json.dumps(value, indent=2, sort_keys=True) + "\n").encode()
    _write_atomic(path, data, private=private)


def _load_or_create_key(path: Path) -> rsa.RSAPrivateKey:
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError(f"{path}: not an RSA private key")
        return key
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _write_atomic(path, pem, private=True)
    return key


def _client_id() -> str:
    # Cognito app client ids: 26 lower-case letters and digits.
    alphabet = string.ascii_lowercase + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(26))


@dataclass(frozen=True)
class LocalState:
    """The local stand-ins for a user pool, an identity pool, an OIDC client and their keys."""

    folder: Path
    user_pool_client_id: str
    identity_pool_id: str
    oidc_client_id: str
    next_token_secret: bytes
    credentials_secret: bytes
    user_pool_key: rsa.RSAPrivateKey
    oidc_key: rsa.RSAPrivateKey
    region: str = LOCAL_REGION
    account_id: str = LOCAL_ACCOUNT_ID
    user_pool_id: str = LOCAL_USER_POOL_ID

    @property
    def user_pool_issuer(self) -> str:
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.user_pool_id}"

    @property
    def auth_role_arn(self) -> str:
        return f"arn:aws:iam::{self.account_id}:role/{AUTH_ROLE_NAME}"

    @property
    def unauth_role_arn(self) -> str:
        return f"arn:aws:iam::{self.account_id}:role/{UNAUTH_ROLE_NAME}"

    @property
    def data_folder(self) -> Path:
        return self.folder / "dynamodb"

    @property
    def server_file(self) -> Path:
        return self.folder / "server.json"

    @classmethod
    def load(cls, folder: Path = DEFAULT_FOLDER) -> LocalState:
        """Read the local folder, creating whatever is missing (first run)."""
        folder.mkdir(parents=True, exist_ok=True)
        state_file = folder / "state.json"
        stored: dict[str, Any] = {}
        if state_file.exists():
            stored = json.loads(state_file.read_text())
        if stored.get("version") != _STATE_VERSION:
            stored = {
                "version": _STATE_VERSION,
                "user_pool_client_id": _client_id(),
                "identity_pool_id": f"{LOCAL_REGION}:{uuid.uuid4()}",
                "oidc_client_id": "local-oidc-" + _client_id()[:12],
                "next_token_secret": secrets.token_hex(32),
                "credentials_secret": secrets.token_hex(32),
            }
            write_json_atomic(state_file, stored, private=True)
        return cls(
            folder=folder,
            user_pool_client_id=stored["user_pool_client_id"],
            identity_pool_id=stored["identity_pool_id"],
            oidc_client_id=stored["oidc_client_id"],
            next_token_secret=bytes.fromhex(stored["next_token_secret"]),
            credentials_secret=bytes.fromhex(stored["credentials_secret"]),
            user_pool_key=_load_or_create_key(folder / "keys" / "userpool.pem"),
            oidc_key=_load_or_create_key(folder / "keys" / "oidc.pem"),
        )


@dataclass(frozen=True)
class ServerInfo:
    """Where the running dev server listens; lets `token --oidc` name the right issuer."""

    url: str
    oidc_issuer: str
    pid: int = 0

    def save(self, state: LocalState) -> None:
        write_json_atomic(
            state.server_file,
            {"url": self.url, "oidc_issuer": self.oidc_issuer, "pid": self.pid or os.getpid()},
        )

    @classmethod
    def read(cls, state: LocalState) -> ServerInfo | None:
        """The running server's info; None when none runs (a `kill -9` leaves the file)."""
        try:
            stored = json.loads(state.server_file.read_text())
            info = cls(url=stored["url"], oidc_issuer=stored["oidc_issuer"], pid=stored["pid"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return info if _running(info.pid) else None


def _running(pid: Any) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def base_url(host: str, port: int) -> str:
    return f"http://{host}:{port}"


def local_oidc_issuer(host: str, port: int) -> str:
    return f"{base_url(host, port)}/oidc"
