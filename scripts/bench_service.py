"""The sync service at the scale of the city: BENCH_SERVICE_COUNTERS simulated counters (default 1,000).

Agencies of six counters each (about 170 wards). Every counter is an asyncio client of its own (one TLS
connection, its own credential) in this one process; the service runs as two copies (`counter-app central
serve`, the way a city would put them behind a load balancer) over one throwaway PostgreSQL. A counter's sync is
what the application does: hello, push its day (BENCH_SERVICE_EVENTS dossiers opened), the counters registry,
then pull pages until the last. Two rounds:
- the day: the counters start spread over 30 s (as offices open), each syncs once;
- a reconnect storm: all of them at the same moment (after an outage), each with one more dossier.
Figures: wall time of the day, p50/p99 of one counter's sync, errors, the most PostgreSQL backends seen.
Run alone: `.venv/bin/python scripts/bench_service.py`; `make bench` prints it with the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import random
import secrets
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "tests"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

COUNTERS_PER_AGENCY = 6
TEMPLATE_AGENCY = "000.17.22.H56"


@dataclass
class Round:
    name: str
    durations: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    wall: float = 0.0

    def p(self, q: float) -> float:
        ordered = sorted(self.durations)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


@dataclass
class ServiceBench:
    counters: int
    events_per_counter: int
    day: Round
    storm: Round
    max_backends: int

    def lines(self) -> list[str]:
        out = []
        for r in (self.day, self.storm):
            out.append(
                f"{r.name}: {self.counters} counters in {r.wall:.1f} s, one sync p50 {r.p(0.5) * 1000:.0f} ms, "
                f"p99 {r.p(0.99) * 1000:.0f} ms, errors {len(r.errors)}"
            )
        out.append(f"PostgreSQL backends at most: {self.max_backends} (two copies of the service, pools of 20)")
        return out


def _template(n: int) -> list[dict[str, Any]]:
    """`n` real opening events of a counter, made by the application itself."""
    from counter_app.bootstrap import build_services
    from counter_app.domain.intake import IntakeForm
    from counter_app.services.common.clock import SystemClock
    from counter_app.storage import outbox

    with tempfile.TemporaryDirectory(prefix="bench-service-") as folder:
        services = build_services(Path(folder) / "c.db", SystemClock())
        services.setup.init_local(agency_code=TEMPLATE_AGENCY, agency_name="Phường mẫu", counter=1)
        for i in range(n):
            form = IntakeForm(
                procedure_code="DEMO.KH", name="Lê Văn An", identifier=f"0790900{i:05d}", address=f"{i} Lê Lợi"
            )
            services.intake.accept(form)
        events = [e._asdict() for e in outbox.read_pending_events(services.context.database, None, 10 * n)]
        services.close()
    return events


def _events_for(template: list[dict[str, Any]], agency: str, counter: int, first_seq: int) -> list[dict[str, Any]]:
    """The template's events as this counter's own: its agency, numbers, uuids and a chain of its own."""
    out = []
    prev = ""
    for i, event in enumerate(template):
        payload = json.loads(event["payload"])
        dossier = str(uuid.uuid4())
        number = first_seq + i
        day = payload["code"].split("-")[1]
        payload.update(
            agency_code=agency,
            counter=counter,
            code=f"{agency}-{day}-{counter}{number:03d}",
            uuid=dossier,
            book_index=int(f"{counter}{number:05d}"),
        )
        own = str(uuid.uuid4())
        digest = hashlib.sha256(own.encode()).hexdigest()  # the central checks links, not the counter's HMAC
        out.append(
            event
            | {
                "uuid": own,
                "dossier_uuid": dossier,
                "payload": json.dumps(payload, ensure_ascii=False),
                "agency_code": agency,
                "counter": counter,
                "seq": number,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        prev = digest
    return out


async def _call(client: Any, method: str, path: str, **kwargs: Any) -> Any:
    """As the counter's client does (sync.service_client): a "busy, come back" answer is retried after the time
    the service gives, grown and spread out."""
    import httpx

    from counter_app.sync.service_waits import BUSY_RETRIES

    try:
        answer = await client.request(method, path, **kwargs)
    except httpx.RemoteProtocolError:  # as the client does: once more on a new connection
        answer = await client.request(method, path, **kwargs)
    for attempt in range(BUSY_RETRIES):
        if answer.status_code != 503 or "Retry-After" not in answer.headers:
            break
        delay = min(30.0, float(answer.headers["Retry-After"]) * (1.5**attempt)) * random.uniform(0.5, 1.5)
        await asyncio.sleep(delay)
        answer = await client.request(method, path, **kwargs)
    answer.raise_for_status()
    return answer


async def _sync_once(client: Any, events: list[dict[str, Any]], cursor: list[int], result: Round, delay: float) -> None:
    await asyncio.sleep(delay)
    start = time.perf_counter()
    try:
        await _call(client, "GET", "/v1/hello")
        pushed = await _call(client, "POST", "/v1/push", json={"events": events})
        if pushed.json()["dead"]:
            raise RuntimeError(f"dead letters: {list(pushed.json()['dead'].values())[:1]}")
        await _call(client, "GET", "/v1/counters")
        while True:
            page = await _call(client, "GET", "/v1/pull", params={"tx": cursor[0], "seq": cursor[1], "limit": 2000})
            data = page.json()
            if data["end"]:
                cursor[:] = data["end"]
            if not data["full"]:
                break
        result.durations.append(time.perf_counter() - start)
    except Exception as exc:
        result.errors.append(f"{type(exc).__name__}: {exc}"[:200])


async def _round(
    urls: list[str],
    ca: str,
    credentials: list[str],
    batches: list[list[dict[str, Any]]],
    cursors: list[list[int]],
    spread: float,
    name: str,
) -> Round:
    import httpx

    result = Round(name)
    context = ssl.create_default_context(cafile=ca)
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    clients = [
        httpx.AsyncClient(
            base_url=urls[i % len(urls)],
            verify=context,
            limits=limits,
            timeout=120,
            headers={"Authorization": f"Bearer {credential}"},
        )
        for i, credential in enumerate(credentials)
    ]
    rng = random.Random(7)
    started = time.perf_counter()
    try:
        await asyncio.gather(
            *(
                _sync_once(client, batches[i], cursors[i], result, rng.uniform(0, spread))
                for i, client in enumerate(clients)
            )
        )
    finally:
        result.wall = time.perf_counter() - started
        await asyncio.gather(*(c.aclose() for c in clients))
    return result


def _register(admin_url: str, n: int) -> tuple[list[tuple[str, int]], list[str]]:
    """Agencies and counters in bulk as the administrator would, with one credential each."""
    import psycopg

    from counter_app.central.credentials import credential_digest, new_credential

    counters = [
        (f"000.{i // 100:02d}.{i % 100:02d}.H29", k)
        for i in range(-(-n // COUNTERS_PER_AGENCY))
        for k in range(1, COUNTERS_PER_AGENCY + 1)
    ][:n]
    credentials = [new_credential() for _ in counters]
    with psycopg.connect(admin_url, autocommit=True) as conn, conn.cursor() as cur:
        agencies = sorted({a for a, _k in counters})
        cur.executemany(
            "INSERT INTO central.agency (code, name, counter_digits, number_digits) VALUES (%s, %s, 1, 3)",
            [(a, f"Phường {a}") for a in agencies],
        )
        cur.executemany(
            "INSERT INTO central.counter (agency_code, number, role_name, label) VALUES (%s, %s, %s, '')",
            [(a, k, f"bench_{a}_{k}") for a, k in counters],
        )
        cur.executemany(
            "INSERT INTO central.counter_credential (secret_sha256, agency_code, counter) VALUES (%s, %s, %s)",
            [(credential_digest(c), a, k) for c, (a, k) in zip(credentials, counters, strict=True)],
        )
    return counters, credentials


def _backends_watch(admin_url: str, dbname: str, stop: threading.Event, seen: list[int]) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        while not stop.is_set():
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [dbname]
            ).fetchone()
            seen.append(int(row[0]) if row else 0)
            stop.wait(0.1)


@contextlib.contextmanager
def running_service(cluster: Any, dbname: str, folder: Path, copies: int = 2, *, public: bool = False) -> Any:
    """`copies` of `counter-app central serve` over TLS as a service login; yields their addresses. `public`:
    each also serves the status page under the first copy's address (`--public-url`)."""
    from psycopg import sql
    from support.pg_cluster import HOST, free_port

    from counter_app.sync.central_schema import roles_for

    issued = cluster.ca.issue_cert(HOST, "localhost")
    cert, key = folder / "service.pem", folder / "service.key"
    issued.cert_chain_pems[0].write_to_path(str(cert))
    issued.private_key_pem.write_to_path(str(key))
    login, password = f"svc_{secrets.token_hex(3)}", secrets.token_urlsafe(12)
    with cluster.admin_connect(dbname) as conn:
        conn.execute(
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD {} IN ROLE {}").format(
                sql.Identifier(login), sql.Literal(password), sql.Identifier(roles_for(dbname).service)
            )
        )
    processes = []
    ports = [free_port() for _ in range(copies)]
    urls = [f"https://{HOST}:{port}" for port in ports]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_STATE_HOME": str(folder / "state")}
    try:
        for port in ports:
            processes.append(
                subprocess.Popen(
                    [
                        *(sys.executable, "-m", "counter_app", "central", "serve"),
                        *("--url", cluster.url(dbname, login, password), "--listen", f"{HOST}:{port}"),
                        *("--certfile", str(cert), "--keyfile", str(key)),
                        *(("--public-url", urls[0]) if public else ()),
                    ],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        import socket

        for url in urls:
            port = int(url.rsplit(":", 1)[1])
            deadline = time.monotonic() + 30
            while True:
                with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=0.2):
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError("the sync service did not start")
                time.sleep(0.05)
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)


def bench_service(n: int | None = None, per_counter: int | None = None) -> ServiceBench:
    from support.pg_cluster import running_pg_cluster

    from counter_app.sync.central_admin import init_central
    from counter_app.sync.central_url import parse_central_url

    n = n or int(os.environ.get("BENCH_SERVICE_COUNTERS", "1000"))
    per_counter = per_counter or int(os.environ.get("BENCH_SERVICE_EVENTS", "8"))
    template = _template(per_counter + 1)
    with running_pg_cluster() as cluster, tempfile.TemporaryDirectory(prefix="bench-service-") as folder:
        dbname = "bench_service"
        admin_url = cluster.create_database(dbname)
        init_central(parse_central_url(admin_url), None)
        counters, credentials = _register(admin_url, n)
        day = [_events_for(template[:per_counter], a, k, 1) for a, k in counters]
        storm = [_events_for(template[per_counter:], a, k, per_counter + 1) for a, k in counters]
        # the second batch continues each counter's chain
        for first, second in zip(day, storm, strict=True):
            second[0]["prev_hash"] = first[-1]["hash"]
        cursors = [[0, 0] for _ in counters]
        seen: list[int] = []
        stop = threading.Event()
        watcher = threading.Thread(target=_backends_watch, args=(admin_url, dbname, stop, seen), daemon=True)
        with running_service(cluster, dbname, Path(folder)) as urls:
            watcher.start()
            try:
                ca = str(cluster.ca_file)
                day_round = asyncio.run(_round(urls, ca, credentials, day, cursors, 30.0, "the day (spread over 30 s)"))
                storm_round = asyncio.run(
                    _round(urls, ca, credentials, storm, cursors, 0.0, "reconnect storm (all at once)")
                )
            finally:
                stop.set()
                watcher.join(timeout=5)
    return ServiceBench(n, per_counter, day_round, storm_round, max(seen, default=0))


def main() -> int:
    bench = bench_service()
    for line in bench.lines():
        print(line)
    for r in (bench.day, bench.storm):
        for error in sorted(set(r.errors))[:5]:
            print(f"  {r.name} error: {error}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
