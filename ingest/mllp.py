"""Live HL7 v2 feed: an asyncio MLLP listener that lands each message durably, then ACKs.

MLLP frames a message as `0x0b <message> 0x1c 0x0d`. For each frame the listener

1. parses the message with `ingest.formats.hl7_siu` (the same parser as for files);
2. lands it in the warehouse in one DuckDB transaction (`ingest.landing.land_bytes`: source
   `hl7_siu`, source file `hl7_siu/mllp/<MSH-4>/<MSH-10>.hl7`, one batch per delivery with
   received = landed + duplicates + dead_lettered); an accepted message is first written to
   the inbox `<landing>/hl7_siu/mllp/<MSH-4>/<MSH-10>.hl7` when an inbox (the `hl7_siu`
   landing folder) is configured (docs/decisions/0009-mllp-durable-ack.md);
   Every row carries the frame's arrival time on the socket as `delivered_at` (the inbox file
   gets it as its modification time, so a later file sweep agrees);
3. only after the COMMIT answers an HL7 ACK: AA for a landed message and for a duplicate
   (same sending facility and MSH-10: landed once, acknowledged again), AE when the message
   was dead-lettered (its payload and reason are in raw.dead_letters) or could not be stored,
   AR when it cannot be identified (no MSH segment), is not SIU or the frame holds several
   messages. The ACK swaps sender and receiver, MSA-2 echoes MSH-10, ERR says why.

DuckDB work runs on one worker thread (writes are serialized, the event loop never blocks),
with a short-lived warehouse connection per message by default, so that the Dagster landing
assets and dbt can use the warehouse between messages (DuckDB allows one writing process);
a busy warehouse is retried with backoff. A storage failure rolls the transaction back and
answers AE, so a sender never gets AA for a message that is not committed.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import itertools
import os
import re
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ingest import landing
from ingest.formats import hl7_siu
from ingest.records import DeadLetter, Record
from ingest.x12 import decode

START_BLOCK = b"\x0b"
END_BLOCK = b"\x1c\x0d"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 2575  # the IANA port for HL7 over MLLP
MAX_FRAME_BYTES = 16 * 1024 * 1024
INBOX_FOLDER = "mllp"  # under <landing>/hl7_siu/

# HL7 table 0357 (message error condition codes) by dead-letter error class
_ERROR_CODES = {
    "MissingSegment": ("101", "Required field missing"),
    "InvalidValue": ("102", "Data type error"),
    "EncodingError": ("102", "Data type error"),
    "UnsupportedTransaction": ("200", "Unsupported message type"),
}
_INTERNAL_ERROR = ("207", "Application internal error")
_UNSAFE_PATH = re.compile(r"[^A-Za-z0-9._-]+")

Lander = Callable[..., landing.BatchResult]  # the signature of ingest.landing.land_bytes


@dataclass(frozen=True, slots=True)
class Header:
    """What the ACK needs from the MSH segment, read without the full parser."""

    field_separator: str = "|"
    encoding_characters: str = "^~\\&"
    sending_application: str = ""
    sending_facility: str = ""
    receiving_application: str = ""
    receiving_facility: str = ""
    trigger: str = ""
    control_id: str = ""
    processing_id: str = "P"
    version: str = "2.5.1"

    @property
    def facility_id(self) -> str:
        """MSH-4.1 (the namespace id), as in AppointmentEvent.sending_facility."""
        return self.sending_facility.split(self.encoding_characters[:1] or "^")[0]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one received message, and the ACK answered."""

    ack_code: str  # AA, AE, AR
    landed: int
    duplicates: int
    dead_lettered: int
    reason: str | None  # why not AA
    ack: bytes  # the ACK message (without MLLP framing)


@dataclass(slots=True)
class Stats:
    """Counters of a listener: received = landed + duplicates + dead_lettered + refused
    (refused: not stored at all, answered AE so that the sender keeps and re-sends it)."""

    received: int = 0
    landed: int = 0
    duplicates: int = 0
    dead_lettered: int = 0
    refused: int = 0
    acks: dict[str, int] = field(default_factory=dict)

    @property
    def conserved(self) -> bool:
        stored = self.landed + self.duplicates + self.dead_lettered
        return self.received == stored + self.refused

    def add(self, outcome: Outcome) -> None:
        self.received += 1
        self.landed += outcome.landed
        self.duplicates += outcome.duplicates
        self.dead_lettered += outcome.dead_lettered
        stored = outcome.landed + outcome.duplicates + outcome.dead_lettered
        self.refused += 1 - min(stored, 1)
        self.acks[outcome.ack_code] = self.acks.get(outcome.ack_code, 0) + 1


# -- MSH and ACK -------------------------------------------------------------------------------


def read_header(message: str) -> Header | None:
    """MSH fields of a message (None without an MSH segment at its start)."""
    text = message.lstrip("\x0b\r\n \t")
    if not text.startswith("MSH") or len(text) < 8:
        return None
    sep = text[3]
    segment = re.split(r"[\r\n]", text, maxsplit=1)[0]
    fields = ["MSH", *segment[4:].split(sep)]  # fields[1] = MSH-2 encoding characters

    def get(i: int) -> str:
        return fields[i].strip() if len(fields) > i else ""

    encoding = get(1) or "^~\\&"
    component = encoding[0]
    message_type = get(8).split(component)
    return Header(
        field_separator=sep,
        encoding_characters=encoding,
        sending_application=get(2),
        sending_facility=get(3),
        receiving_application=get(4),
        receiving_facility=get(5),
        trigger=message_type[1] if len(message_type) > 1 else "",
        control_id=get(9),
        processing_id=get(10) or "P",
        version=get(11).split(component)[0] or "2.5.1",
    )


def _escape(text: str, header: Header) -> str:
    """HL7 escape sequences for the delimiters inside a text value; no line breaks."""
    enc = header.encoding_characters.ljust(4, " ")
    escape = enc[2]
    out = text.replace(escape, f"{escape}E{escape}")
    for char, code in ((header.field_separator, "F"), (enc[0], "S"), (enc[1], "R"), (enc[3], "T")):
        if char.strip():
            out = out.replace(char, f"{escape}{code}{escape}")
    return " ".join(out.split())


_ack_counter = itertools.count(1)


def build_ack(
    header: Header | None,
    code: str,
    reason: str | None = None,
    error: tuple[str, str] | None = None,
    now: dt.datetime | None = None,
) -> str:
    """An HL7 ACK (segments separated by CR): MSH with sender and receiver swapped, MSA-1 the
    code, MSA-2 the original MSH-10, and ERR (ERR-3 HL7 table 0357 code, ERR-4 severity E,
    ERR-8 the reason) unless AA."""
    h = header or Header()
    sep = h.field_separator
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%d%H%M%S")
    control = f"A{stamp[2:]}{next(_ack_counter) % 1_000_000:06d}"  # 19 of MSH-10's 20
    parts = ["ACK", h.trigger, "ACK"] if h.trigger else ["ACK"]
    message_type = h.encoding_characters[0].join(parts)
    msh = sep.join(
        [
            "MSH",
            h.encoding_characters,
            h.receiving_application,
            h.receiving_facility,
            h.sending_application,
            h.sending_facility,
            stamp,
            "",
            message_type,
            control,
            h.processing_id,
            h.version,
        ]
    )
    text = _escape(reason or "", h)[:80]
    segments = [msh, sep.join(["MSA", code, h.control_id, *([text] if code != "AA" else [])])]
    if code != "AA":
        number, name = error or _INTERNAL_ERROR
        component = h.encoding_characters[0]
        err_code = component.join([number, name, "HL70357"])
        user_message = _escape(reason or "", h)
        segments.append(sep.join(["ERR", "", "", err_code, "E", "", "", "", user_message]))
    return "\r".join(segments) + "\r"


# -- one message -------------------------------------------------------------------------------


def _path_part(value: str, fallback: str) -> str:
    cleaned = _UNSAFE_PATH.sub("_", value).strip("._")
    return cleaned[:64] or fallback


def source_file_for(header: Header | None, data: bytes) -> str:
    """`hl7_siu/mllp/<MSH-4>/<MSH-10>.hl7`: the same name the inbox file lands under when the
    file sweep meets it, so a message landed live is never landed again as a file. Without
    MSH-10 (or MSH), the content hash names the message."""
    digest = hashlib.sha256(data).hexdigest()[:16]
    facility = _path_part(header.facility_id, "unknown") if header else "unidentified"
    control = _path_part(header.control_id, f"sha-{digest}") if header else f"sha-{digest}"
    return f"{hl7_siu.SOURCE}/{INBOX_FOLDER}/{facility}/{control}.hl7"


def _classify(
    header: Header | None, items: Sequence[Record | DeadLetter]
) -> tuple[str, str | None, tuple[str, str] | None]:
    """ACK code, reason and ERR code of parsed items (before storage)."""
    if header is None:
        reason = "no MSH segment: the message cannot be identified"
        return "AR", reason, _ERROR_CODES["MissingSegment"]
    if len(items) != 1:
        reason = f"one MLLP frame must hold one message, this one holds {len(items)}"
        return "AR", reason, ("100", "Segment sequence error")
    item = items[0]
    if isinstance(item, DeadLetter):
        error = _ERROR_CODES.get(item.error_class, _INTERNAL_ERROR)
        code = "AR" if item.error_class == "UnsupportedTransaction" else "AE"
        return code, f"{item.error_class}: {item.reason}", error
    return "AA", None, None


def _write_inbox(
    inbox: Path, source_file: str, data: bytes, arrived: dt.datetime
) -> tuple[Path, bool]:
    """Keep the message under the inbox (`<landing>/hl7_siu`; tmp + fsync + rename, mtime =
    the arrival time): its path, and whether it was written now (False: the same bytes were
    there). A different message under an existing name gets its content hash appended."""
    path = inbox / Path(source_file).relative_to(hl7_siu.SOURCE)
    if path.exists() and path.read_bytes() != data:
        path = path.with_name(f"{path.stem}.{hashlib.sha256(data).hexdigest()[:12]}.hl7")
    if path.exists() and path.read_bytes() == data:
        return path, False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    stamp = arrived.replace(tzinfo=dt.UTC).timestamp()
    os.utime(tmp, (stamp, stamp))
    os.replace(tmp, path)
    return path, True


def refusal(data: bytes, exc: BaseException, now: dt.datetime | None = None) -> Outcome:
    """AE for a message that was not stored at all (the sender keeps it and re-sends)."""
    reason = f"message not stored, send it again: {type(exc).__name__}: {exc}"
    ack = build_ack(read_header(decode(data)[0]), "AE", reason, _INTERNAL_ERROR, now)
    return Outcome("AE", 0, 0, 0, reason, ack.encode())


def handle_message(
    con: duckdb.DuckDBPyConnection,
    data: bytes,
    inbox: Path | None = None,
    land: Lander = landing.land_bytes,
    now: dt.datetime | None = None,
    delivered_at: dt.datetime | None = None,
) -> Outcome:
    """Parse, land (one transaction) and build the ACK of one de-framed message;
    `delivered_at` is when it arrived on the socket (default: now)."""
    arrived = landing.naive_utc(delivered_at or now or dt.datetime.now(dt.UTC))
    text, _ = decode(data)
    header = read_header(text)
    items = list(hl7_siu.parse(data, "mllp"))
    code, reason, error = _classify(header, items)
    source_file = source_file_for(header, data)
    written: Path | None = None
    if inbox is not None and code == "AA":
        kept, created = _write_inbox(inbox, source_file, data, arrived)
        source_file = f"{hl7_siu.SOURCE}/{kept.relative_to(inbox).as_posix()}"
        written = kept if created else None
    try:
        result = land(
            con,
            data,
            hl7_siu.SOURCE,
            lambda _data, _name: items,
            hl7_siu.PARSER_VERSION,
            source_file,
            now=now,
            reprocess=True,  # every delivery is a batch; record keys make duplicates land once
            delivered_at=arrived,
        )
    except Exception as exc:  # noqa: BLE001 - storage failed: nothing committed, answer AE
        if written is not None:
            written.unlink(missing_ok=True)
        return refusal(data, exc, now)
    ack = build_ack(header, code, reason, error, now)
    return Outcome(
        code, result.landed, result.duplicates, result.dead_lettered, reason, ack.encode()
    )


# -- the listener ------------------------------------------------------------------------------


class MllpListener:
    """An asyncio MLLP server on `host:port` (port 0: an ephemeral port, see `port`)."""

    def __init__(
        self,
        warehouse: Path,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        inbox: Path | None = None,
        land: Lander = landing.land_bytes,
        hold_warehouse: bool = False,
        busy_timeout: float = 5.0,
    ) -> None:
        """`hold_warehouse`: keep one warehouse connection open (faster, but DuckDB then
        locks every other process out of the file); by default each message opens a
        short-lived connection, waiting up to `busy_timeout` seconds while another process
        holds the warehouse (then AE: the sender re-sends later)."""
        self.warehouse, self.host, self.inbox, self.land = warehouse, host, inbox, land
        self.hold_warehouse, self.busy_timeout = hold_warehouse, busy_timeout
        self._requested_port = port
        self._server: asyncio.Server | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mllp-landing")
        self._con: duckdb.DuckDBPyConnection | None = None
        self.stats = Stats()

    @property
    def port(self) -> int:
        if self._server is None or not self._server.sockets:
            raise RuntimeError("the listener is not started")
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self) -> int:
        """Open the warehouse (raw schema ensured) and start listening; returns the port."""
        await self._run(self._open)
        self._server = await asyncio.start_server(
            self._serve_connection, self.host, self._requested_port, limit=MAX_FRAME_BYTES
        )
        return self.port

    async def serve_forever(self) -> None:
        if self._server is None:
            await self.start()
        assert self._server is not None
        await self._server.serve_forever()

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        await self._run(self._close_connection)
        self._executor.shutdown(wait=True)

    async def __aenter__(self) -> MllpListener:
        await self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    def _open(self) -> None:
        con = self._connect()
        landing.ensure_raw_schema(con)
        if self.hold_warehouse:
            self._con = con
        else:
            con.close()

    def _connect(self) -> duckdb.DuckDBPyConnection:
        """A warehouse connection; retried with backoff while another process holds the
        file lock, up to `busy_timeout` seconds."""
        deadline = time.monotonic() + self.busy_timeout
        delay = 0.05
        while True:
            try:
                return duckdb.connect(str(self.warehouse))
            except duckdb.IOException:
                if time.monotonic() + delay > deadline:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 1.0)

    def _close_connection(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None

    async def _run(self, fn: Callable[[], object]) -> object:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn)

    def _handle(self, data: bytes, arrived: dt.datetime) -> Outcome:
        if self._con is not None:
            outcome = handle_message(self._con, data, self.inbox, self.land, delivered_at=arrived)
        else:
            try:
                con = self._connect()
            except duckdb.Error as exc:  # the warehouse stayed busy / unavailable
                outcome = refusal(data, exc)
            else:
                with con:
                    outcome = handle_message(con, data, self.inbox, self.land, delivered_at=arrived)
        self.stats.add(outcome)
        return outcome

    async def _serve_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        try:
            while True:
                frame = await read_frame(reader)
                if frame is None:
                    break
                arrived = dt.datetime.now(dt.UTC).replace(tzinfo=None)  # the end block is in
                outcome = await self._run(
                    lambda frame=frame, arrived=arrived: self._handle(frame, arrived)
                )
                assert isinstance(outcome, Outcome)
                writer.write(START_BLOCK + outcome.ack + END_BLOCK)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass  # the peer went away or sent an oversized frame: nothing was acknowledged
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()


async def read_frame(reader: asyncio.StreamReader) -> bytes | None:
    """The next MLLP frame's content (bytes before the start block are dropped); None at
    the end of the stream."""
    try:
        raw = await reader.readuntil(END_BLOCK)
    except asyncio.IncompleteReadError as exc:
        if exc.partial.strip(b"\x0b\x1c\r\n \t\x00"):
            raise
        return None
    start = raw.find(START_BLOCK)
    return raw[start + 1 if start != -1 else 0 : -len(END_BLOCK)]


async def serve(
    warehouse: Path,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    inbox: Path | None = None,
) -> None:
    """Run a listener until cancelled (the entry point for a CLI command)."""
    async with MllpListener(warehouse, host, port, inbox) as listener:
        await listener.serve_forever()
