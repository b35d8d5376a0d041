"""The sync service of a test: copies of `counter-app central serve` over one central, credentials of counters."""

from __future__ import annotations

import contextlib
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from support.sync_service import running_sync_service
from sync_helpers import Central, cli_env


@dataclass
class SyncService:
    """Running copies of the service over one central; `credential(agency, n)` registers a counter once."""

    central: Central
    urls: list[str]
    ca_file: Path
    public_url: str | None = None  # where the status page is served (`--public-url`), None: not served

    def credential(self, agency: str, number: int) -> str:
        return self.central.credential(agency, number)

    def client(self, credential: str, copy: int = 0) -> httpx.Client:
        return httpx.Client(
            base_url=self.urls[copy],
            verify=ssl.create_default_context(cafile=str(self.ca_file)),
            headers={"Authorization": f"Bearer {credential}"},
            timeout=60,
        )


@contextlib.contextmanager
def running_service(
    central: Central, tmp_path: Path, copies: int = 2, *, status_page: bool = True
) -> Iterator[SyncService]:
    """`copies` of the service; with `status_page`, each serves the status page and announces the first copy's
    address as the public one (what a load balancer's address would be). The central's own syncs (`sync`) go to
    these copies when it has not started its own."""
    with running_sync_service(
        central.cluster, central.dbname, tmp_path, cli_env(tmp_path), copies, status_page=status_page
    ) as running:
        central.use_service(running)
        yield SyncService(central, running.urls, running.ca_file, running.public_url)
