"""The citizen's status page under load (issue 21): 200 requests/s for 30 s against a central of 1,000,000 dossiers.

A throwaway PostgreSQL; the central initialised as in production; BENCH_STATUS_DOSSIERS dossiers (default
1,000,000) and their opening events bulk-loaded as the owner in SQL (generate_series, the chain triggers off for
the load: it is not a sync), each opening event a real one made by the application with its code, uuid and
status key replaced. One copy of `counter-app central serve --public-url` over TLS on loopback, then an asyncio
load generator: a fixed arrival rate (BENCH_STATUS_RATE, default 200/s) for BENCH_STATUS_SECONDS (default 30 s),
each request the link of a real dossier picked at random, all from the same client address (every request is a
hit, so the miss throttle never trips). A latency is measured from the moment the request was due, so a
generator that falls behind shows as latency, not as a lower rate hidden from the figures.
Figures: p50/p99, errors, achieved rate. Run alone: `.venv/bin/python scripts/bench_status_page.py`.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import random
import ssl
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "tests"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

AGENCIES = 200  # wards; one counter each in this load
NUMBERS_PER_DAY = 999  # counter_digits 1, number_digits 3
FIRST_DAY = "2025-01-01"
DESK_PHONE = "028 3829 1234"
CHUNK = 100_000
P99_TARGET_S = 0.100
RATE_SHARE_TARGET = 195 / 200


@dataclass
class StatusPageBench:
    dossiers: int
    rate: float
    seconds: float
    load_seconds: float
    latencies: list[float] = field(default_factory=list)  # from when each request was due
    service_times: list[float] = field(default_factory=list)  # from when it was sent
    errors: list[str] = field(default_factory=list)
    wall: float = 0.0

    def p(self, q: float, values: list[float] | None = None) -> float:
        ordered = sorted(self.latencies if values is None else values)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")

    @property
    def achieved(self) -> float:
        """Answered requests (200 OK) per second over the run."""
        return len(self.latencies) / self.wall if self.wall else 0.0

    def lines(self) -> list[str]:
        return [
            f"central: {self.dossiers:,} dossiers (loaded in {self.load_seconds:.0f} s)",
            f"status page at {self.rate:.0f}/s for {self.seconds:.0f} s: {len(self.latencies):,} answered, "
            f"achieved {self.achieved:.1f}/s, errors {len(self.errors)}",
            f"latency from when due: p50 {self.p(0.5) * 1000:.1f} ms, p99 {self.p(0.99) * 1000:.1f} ms, "
            f"max {self.p(1.0) * 1000:.1f} ms; from when sent: p50 {self.p(0.5, self.service_times) * 1000:.1f} ms, "
            f"p99 {self.p(0.99, self.service_times) * 1000:.1f} ms",
        ]


# --- the dossiers --------------------------------------------------------------------------------------------


def agency_code(a: int) -> str:
    return f"000.{a // 100:02d}.{a % 100:02d}.H29"


def dossier_link(i: int) -> tuple[str, str]:
    """(code, key) of dossier `i`, as the SQL below makes them (so the client needs nothing read back)."""
    a, j = i % AGENCIES, i // AGENCIES
    day = _day(j // NUMBERS_PER_DAY)
    code = f"{agency_code(a)}-{day}-1{j % NUMBERS_PER_DAY + 1:03d}"
    key = hashlib.md5(f"k{i}".encode(), usedforsecurity=False).hexdigest()[:22]  # 22 characters, the key's shape
    return code, key


def _day(offset: int) -> str:
    from datetime import date, timedelta

    return f"{date.fromisoformat(FIRST_DAY) + timedelta(days=offset):%y%m%d}"


def _opening_template() -> str:
    """A real `dossier.accepted` payload made by the application, with placeholders for what differs."""
    from scripts.bench_service import _template

    (event,) = _template(1)
    assert event["kind"] == "dossier.accepted"
    payload = json.loads(event["payload"])
    payload.update(
        code="@CODE@",
        uuid="@UUID@",
        agency_code="@AGENCY@",
        counter=1,
        status_key="@KEY@",
        desk_phone=DESK_PHONE,
        applicant_name="Nguyễn Thị Đào",
    )
    return json.dumps(payload, ensure_ascii=False)


# the i-th dossier's values in SQL, the same as dossier_link() in Python
_VALUES = f"""
    SELECT i,
           md5('d' || i)::uuid AS uuid,
           '000.' || lpad(((i % {AGENCIES}) / 100)::text, 2, '0') || '.'
               || lpad(((i % {AGENCIES}) % 100)::text, 2, '0') || '.H29' AS agency,
           to_char(date '{FIRST_DAY}' + ((i / {AGENCIES}) / {NUMBERS_PER_DAY})::int, 'YYMMDD') AS day,
           '1' || lpad(((i / {AGENCIES}) % {NUMBERS_PER_DAY} + 1)::text, 3, '0') AS number,
           left(md5('k' || i), 22) AS key,
           (timestamptz '{FIRST_DAY} 09:00+07' + ((i / {AGENCIES}) / {NUMBERS_PER_DAY}) * interval '1 day'
               + (i % 480) * interval '1 minute') AS received_at
    FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS i
""".replace(" % ", " %% ")  # noqa: S608 - constants of this module; %% : modulo beside psycopg's placeholders

_DOSSIERS = f"""
INSERT INTO central.dossier (
    uuid, receiving_agency_code, deciding_agency_code, kind, code, slip, counter, rule_set, procedure_code,
    procedure_name, field, deciding_agency, stage, status, channel, applicant_kind, applicant_name, name_key,
    applicant_identifier, applicant_birth_date, applicant_sex, applicant_address, applicant_phone, applicant_email,
    filer_name, filer_identifier, filer_phone, filer_authorisation, result_delivery, postal_address, sets_count, fee,
    fee_paid, processing_days, same_day_cutoff, supplement_rule, received_at, due_at, original_due_at,
    calendar_version, calendar_estimated, paused_at, finished_at, reappointed, supervisor_flag, reason, book_volume,
    book_index, event_count, updated_at, papers)
SELECT v.uuid, v.agency, v.agency, 'dossier', v.agency || '-' || v.day || '-' || v.number, NULL, 1, '2025',
       'DEMO.KH', 'Đăng ký kết hôn', 'ho_tich', 'UBND phường', 'received', 2, 1, 'citizen', 'Nguyễn Thị Đào',
       'nguyen thi dao', '0791900' || lpad((v.i % 100000)::text, 5, '0'), NULL, NULL, v.i || ' Lê Lợi',
       '0903123456', '', '', '', '', '', 'desk', '', 1, 0, false, 3, NULL, 'pause', v.received_at,
       v.received_at + interval '3 days', NULL, 'bench', false, NULL, NULL, false, '', '', 2025, v.i::int % 100000, 1,
       v.received_at, '[]'
FROM ({_VALUES}) AS v
""".replace(" % ", " %% ")  # noqa: S608 - constants of this module

_EVENTS = f"""
INSERT INTO central.event (uuid, dossier_uuid, kind, payload, occurred_at, agency_code, counter, seq, clerk, lamport)
SELECT md5('e' || v.i)::uuid, v.uuid, 'dossier.accepted',
       replace(replace(replace(replace(%(template)s, '@CODE@', v.agency || '-' || v.day || '-' || v.number),
                               '@UUID@', v.uuid::text), '@AGENCY@', v.agency), '@KEY@', v.key),
       v.received_at, v.agency, 1, (v.i / {AGENCIES})::int + 1, 'bench', 1
FROM ({_VALUES}) AS v
"""  # noqa: S608 - constants of this module


def load_dossiers(admin_url: str, n: int) -> float:
    """`n` dossiers and their opening events, as the owner; seconds taken."""
    import psycopg

    template = _opening_template()
    started = time.perf_counter()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO central.agency (code, name, counter_digits, number_digits) VALUES (%s, %s, 1, 3)",
                [(agency_code(a), f"UBND phường {a}") for a in range(AGENCIES)],
            )
        # a bulk load, not a sync: the chain's and the agencies' statement triggers are the owner's to skip
        conn.execute("SET session_replication_role = replica")
        for first in range(0, n, CHUNK):
            last = min(n, first + CHUNK) - 1
            with conn.transaction():
                conn.execute(_DOSSIERS, {"first": first, "last": last})
                conn.execute(_EVENTS, {"first": first, "last": last, "template": template})
            print(f"  loaded {last + 1:,} / {n:,} ({time.perf_counter() - started:.0f} s)", flush=True)
        conn.execute("RESET session_replication_role")
        conn.execute("VACUUM ANALYZE central.dossier")
        conn.execute("VACUUM ANALYZE central.event")
    return time.perf_counter() - started


# --- the load --------------------------------------------------------------------------------------------------


async def _one(client: Any, path: str, due: float, result: StatusPageBench) -> None:
    await asyncio.sleep(max(0.0, due - time.perf_counter()))
    sent = time.perf_counter()
    try:
        answer = await client.get(path)
        if answer.status_code != 200 or 'id="stage"' not in answer.text:
            raise RuntimeError(f"HTTP {answer.status_code}")
    except Exception as exc:
        result.errors.append(f"{type(exc).__name__}: {exc}"[:200])
        return
    done = time.perf_counter()
    result.latencies.append(done - due)
    result.service_times.append(done - sent)


async def _load(url: str, ca: str, n: int, result: StatusPageBench) -> None:
    import httpx

    rng = random.Random(21)
    context = ssl.create_default_context(cafile=ca)
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=url, verify=context, limits=limits, timeout=30) as client:
        # warm-up (not counted): the connections' TLS handshakes and the service's first queries
        warm = StatusPageBench(n, result.rate, 0, 0)
        await asyncio.gather(*(_one(client, _path(rng.randrange(n)), 0.0, warm) for _ in range(64)))
        if warm.errors:
            raise RuntimeError(f"the page does not answer: {warm.errors[0]}")
        total = int(result.rate * result.seconds)
        start = time.perf_counter() + 0.1
        tasks = []
        for k in range(total):  # the arrivals are fixed in advance: one every 1/rate s
            tasks.append(asyncio.create_task(_one(client, _path(rng.randrange(n)), start + k / result.rate, result)))
        await asyncio.gather(*tasks)
        result.wall = max(result.seconds, time.perf_counter() - start)


def _path(i: int) -> str:
    code, key = dossier_link(i)
    return f"/s/{code}?k={key}"


def bench_status_page(n: int | None = None) -> StatusPageBench:
    from support.pg_cluster import running_pg_cluster

    from counter_app.sync.central_admin import init_central
    from counter_app.sync.central_url import parse_central_url
    from scripts.bench_service import running_service

    n = n or int(os.environ.get("BENCH_STATUS_DOSSIERS", "1000000"))
    rate = float(os.environ.get("BENCH_STATUS_RATE", "200"))
    seconds = float(os.environ.get("BENCH_STATUS_SECONDS", "30"))
    with running_pg_cluster() as cluster, tempfile.TemporaryDirectory(prefix="bench-status-") as folder:
        dbname = "bench_status"
        admin_url = cluster.create_database(dbname)
        init_central(parse_central_url(admin_url), None)
        load_seconds = load_dossiers(admin_url, n)
        result = StatusPageBench(n, rate, seconds, load_seconds)
        with running_service(cluster, dbname, Path(folder), copies=1, public=True) as (url,):
            asyncio.run(_load(url, str(cluster.ca_file), n, result))
    return result


def main() -> int:
    bench = bench_status_page()
    for line in bench.lines():
        print(line)
    for error in sorted(set(bench.errors))[:5]:
        print(f"  error: {error}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
