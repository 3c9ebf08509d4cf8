"""X12 reader benchmark (`make bench-ingest`): hcops' streaming tokenizer + readers against
pyx12 and other Python X12 libraries, and against a bare `bytes.split` floor, on the same bytes.

Input: `simulator.generate` (faults off) into a temporary folder; every 835 transaction of the
generated files (and every 837 transaction of the most common 837 variant) is repeated, with
fresh ST02 / SE02 control numbers and SE01 counts untouched (each copy is a whole ST..SE), into
one interchange / group of ~25k claims. Each reader gets the same bytes; each is timed in
wall and in CPU time (`time.process_time`), best of `--repeat` runs of each (one run for slow
readers); the bare split and hcops' two readings run in interleaved rounds. Ratios and the
goal use CPU time: the machine is shared, and under load the short bare split is more often
timed without being preempted than a run seven times longer (wall times are in the table).
Every reader's claim count and sum of CLP04 (835) / CLM02 (837) must equal hcops' and the
bare split's; hcops' records must also give the bare split's line count and line
amounts (835: SVC03 and every CAS amount; 837: SV102 / SV203). The verdict also counts the
file's amounts and distinct amounts (the readers keep a file's amounts: what that can save).

Readers: hcops (`ingest.formats.x12_835.parse` / `x12_837.parse`, full records, what landing
calls), hcops' reference reading alone (the two-pass reading the fast one hands irregular
transactions to; shown for what the fast reading buys), pyx12
`X12Reader` (segments) and `X12ContextReader` (loop tree, slow; `--no-tree-837` skips it on the
837), ansi-x12
(`x12.tokenize_x12` + `parse_x12_interchange`, structural) and openx12 (claim-level dicts);
a library that is not installed is skipped with a note. Results are appended to
docs/benchmarks.md with the machine and the date. Goal (issue 4): hcops >= 50x pyx12's loop
reader and within 4x of the bare split. `--phases` only prints where hcops' time goes
(tokenizer, reading, iteration and collector), in CPU time relative to the bare split.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import re
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_generate import commit, machine  # noqa: E402

DOC = ROOT / "docs" / "benchmarks.md"
SECTION = """## X12 readers (`make bench-ingest`)

`python benchmarks/bench_ingest.py`: a generated 835 and 837 (faults off, seed 7; the
generated transactions repeated into ~20-25k claims per file, one interchange) read by every
reader from the same bytes; wall and CPU time, best of 5 runs each (bare split and hcops in
interleaved rounds; 1 run for the slow readers), ratios and goal on CPU time (shared machine);
claim count and sum of CLP04 / CLM02 checked equal across readers, and hcops' line count and
line / CAS amounts against the bare split's. Goal (issue 4): hcops >= 50x pyx12's loop reader
and within 4x of the bare split (hcops time / bare time <= 4).
"hcops" is `x12_835.parse` / `x12_837.parse`, full records, what landing calls; "hcops
reference reading only" is the two-pass reading the fast one hands irregular transactions to
(docs/decisions/0012).
"""

Result = tuple[int, Decimal]  # (claims, sum of CLP04 / CLM02)


# -- input ------------------------------------------------------------------------------------

_ST = re.compile(r"^ST\*.*?^SE\*[^~]*~\n?", re.M | re.S)


def synthesize(files: list[Path], target: int, claim_tag: str) -> tuple[bytes, int]:
    """One interchange repeating the files' transactions until `target` claims."""
    first = files[0].read_text()
    isa, gs = first.split("\n", 2)[:2]
    blocks = [m.group(0) for f in files for m in _ST.finditer(f.read_text())]
    per_round = sum(b.count(f"\n{claim_tag}*") for b in blocks)
    rounds = -(-target // per_round)
    out, number = [isa, "\n", gs, "\n"], 0
    for _ in range(rounds):
        for block in blocks:
            number += 1
            control = f"{number:09d}"
            block = re.sub(r"^ST\*(\w+)\*\w+", rf"ST*\g<1>*{control}", block, count=1)
            block = re.sub(r"^(SE\*\d+\*)\w+", rf"\g<1>{control}", block, count=1, flags=re.M)
            out.append(block if block.endswith("\n") else block + "\n")
    group = gs.split("*")[6]
    control = isa.split("*")[13]
    out.append(f"GE*{number}*{group}~\nIEA*1*{control}~\n")
    return "".join(out).encode(), per_round * rounds


def generate_inputs(target: int, seed: int) -> dict[str, tuple[bytes, int]]:
    from simulator.faults import FaultParams
    from simulator.generate import generate

    with tempfile.TemporaryDirectory(prefix="hcops-bench-ingest-") as tmp:
        out = Path(tmp)
        generate(out, facilities=3, days=60, seed=seed, faults=FaultParams.none())
        f835 = sorted((out / "x12_835").glob("*.x12"))
        f837 = sorted((out / "x12_837").glob("*.x12"))
        variants: dict[str, list[Path]] = {}
        for f in f837:
            variants.setdefault(f.name.split("_")[0], []).append(f)
        name837, files837 = max(variants.items(), key=lambda kv: sum(
            p.read_text().count("\nCLM*") for p in kv[1]))
        return {"835": synthesize(f835, target, "CLP"),
                name837: synthesize(files837, target, "CLM")}


# -- readers ----------------------------------------------------------------------------------


def bare(data: bytes, tag: bytes, index: int) -> Result:
    """The floor: one split per file, one per segment, the claim amount summed."""
    count, total = 0, Decimal(0)
    for seg in data.split(b"~"):
        els = seg.strip().split(b"*")
        if els[0] == tag:
            count += 1
            total += Decimal(els[index].decode())
    return count, total


def hcops_835(data: bytes) -> Result:
    from ingest.formats import x12_835
    from ingest.records import RemittanceClaim

    claims = [r for r in x12_835.parse(data, "bench.x12") if isinstance(r, RemittanceClaim)]
    return len(claims), sum((c.paid_amount for c in claims), Decimal(0))


def hcops_837(data: bytes) -> Result:
    from ingest.formats import x12_837
    from ingest.records import ClaimSubmission

    claims = [r for r in x12_837.parse(data, "bench.x12") if isinstance(r, ClaimSubmission)]
    return len(claims), sum((c.charge_amount for c in claims), Decimal(0))


def hcops_reference(data: bytes, kind: str) -> Result:
    """hcops' reference reading alone (what the fast reading hands irregular transactions
    to): private functions, for the comparison only."""
    from ingest.formats import x12_835, x12_837
    from ingest.formats._x12_common import read_x12
    from ingest.records import ClaimSubmission, RemittanceClaim

    module = x12_835 if kind == "835" else x12_837
    claim_type = RemittanceClaim if kind == "835" else ClaimSubmission
    items = read_x12(module.SOURCE, data, module._accept,
                     lambda txn: list(module._read_reference(txn)))
    claims = [r for r in items if isinstance(r, claim_type)]
    amounts = (c.paid_amount if kind == "835" else c.charge_amount for c in claims)
    return len(claims), sum(amounts, Decimal(0))


Lines = tuple[int, Decimal, Decimal]  # (line count, sum of line amounts, sum of CAS amounts)


def bare_lines(data: bytes, kind: str) -> Lines:
    """Lines by a bare split (untimed): 835 SVC count, sum of SVC03 and of every CAS amount;
    837 LX count and sum of SV102 / SV203."""
    count, lines, adjustments = 0, Decimal(0), Decimal(0)
    for seg in data.split(b"~"):
        els = seg.strip().split(b"*")
        if kind == "835" and els[0] == b"SVC":
            count += 1
            lines += Decimal(els[3].decode())
        elif kind == "835" and els[0] == b"CAS":
            adjustments += sum(Decimal(els[i].decode()) for i in range(3, min(len(els), 20), 3)
                               if els[i])
        elif kind != "835" and els[0] == b"LX":
            count += 1
        elif kind != "835" and els[0] in (b"SV1", b"SV2"):
            lines += Decimal(els[2 if els[0] == b"SV1" else 3].decode())
    return count, lines, adjustments


# the amount elements the readers convert (835: CLP03-05, SVC02 / 03 / 05, CAS amounts and
# quantities; 837: CLM02, SV102 / 104, SV203 / 205)
_AMOUNT_ELEMENTS = {b"CLP": (3, 4, 5), b"SVC": (2, 3, 5), b"CAS": tuple(range(3, 20)),
                    b"CLM": (2,), b"SV1": (2, 4), b"SV2": (3, 5)}  # fmt: skip


def amount_repetition(data: bytes, kind: str) -> tuple[int, int]:
    """(amounts, distinct amounts) of the file by a bare split (untimed): how much the
    readers' per-file amount look-up (`_x12_common.kept_amounts`) can save on it."""
    seen: list[bytes] = []
    tags = (b"CLP", b"SVC", b"CAS") if kind == "835" else (b"CLM", b"SV1", b"SV2")
    for seg in data.split(b"~"):
        els = seg.strip().split(b"*")
        if els[0] in tags:
            seen += [els[i] for i in _AMOUNT_ELEMENTS[els[0]] if i < len(els) and els[i]
                     and (els[0] != b"CAS" or i % 3 != 2)]  # fmt: skip
    return len(seen), len(set(seen))


def hcops_lines(data: bytes, kind: str) -> Lines:
    """The same from hcops' records (untimed)."""
    from ingest.formats import x12_835, x12_837
    from ingest.records import ClaimServiceLine, RemittanceAdjustment, RemittanceLine

    if kind == "835":
        items = list(x12_835.parse(data, "bench.x12"))
        lines = [r for r in items if isinstance(r, RemittanceLine)]
        adjustments = [r.amount for r in items if isinstance(r, RemittanceAdjustment)]
        return len(lines), sum((r.paid_amount for r in lines), Decimal(0)), sum(
            adjustments, Decimal(0))
    lines837 = [r for r in x12_837.parse(data, "bench.x12") if isinstance(r, ClaimServiceLine)]
    return len(lines837), sum((r.charge_amount for r in lines837), Decimal(0)), Decimal(0)


def pyx12_segments(data: bytes, tag: str) -> Result:
    import pyx12.x12file

    count, total = 0, Decimal(0)
    for seg in pyx12.x12file.X12Reader(io.StringIO(data.decode())):
        if seg.get_seg_id() == tag:
            count += 1
            total += Decimal(seg.get_value(f"{tag}0{2 if tag == 'CLM' else 4}"))
    return count, total


def pyx12_tree(data: bytes, tag: str) -> Result:
    import pyx12.error_handler
    import pyx12.params
    import pyx12.x12context

    loop = "2100" if tag == "CLP" else "2300"
    element = "CLP04" if tag == "CLP" else "CLM02"
    reader = pyx12.x12context.X12ContextReader(
        pyx12.params.params(), pyx12.error_handler.errh_null(), io.StringIO(data.decode()))
    count, total = 0, Decimal(0)
    for node in reader.iter_segments(loop):
        if node.id == loop:
            count += 1
            total += Decimal(node.get_value(element))
    return count, total


def ansi_x12(data: bytes, tag: str) -> Result:
    from x12 import parse_x12_interchange, tokenize_x12

    document = tokenize_x12(data)
    parse_x12_interchange(document)  # envelope structure and counts
    index = 2 if tag == "CLM" else 4
    count, total = 0, Decimal(0)
    for seg in document.find_segments(tag):
        count += 1
        total += Decimal(seg.element(index).decode())  # type: ignore[union-attr]
    return count, total


def openx12(data: bytes, kind: str) -> Result:
    import openx12 as ox

    text = data.decode()
    if kind == "835":
        claims = ox.x835.parse(text).claims
        key = "claim_payment_amount"
    else:
        claims = (ox.x837i if kind == "837I" else ox.x837p).parse(text).claims
        key = "amount" if claims and "amount" in claims[0] else "total_charge"
    # openx12 keeps amounts as floats: rounded to cents for the comparison
    return len(claims), sum((Decimal(str(c.get(key, 0))) for c in claims), Decimal(0)).quantize(
        Decimal("0.01"))


def available(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


Timing = tuple[float, float, Result]  # (best wall seconds, best CPU seconds, result)


def _run(fn: Callable[[], Result]) -> Timing:
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def interleaved(fns: dict[str, Callable[[], Result]], repeat: int) -> dict[str, Timing]:
    """Best wall and best CPU time of each function over `repeat` rounds that run each once,
    in turn (so that a change of the machine's load hits them alike)."""
    best: dict[str, Timing] = {}
    for _ in range(repeat):
        for name, fn in fns.items():
            wall, cpu, result = _run(fn)
            if name in best:
                wall, cpu = min(wall, best[name][0]), min(cpu, best[name][1])
            best[name] = (wall, cpu, result)
    return best


def timed(fn: Callable[[], Result], repeat: int) -> Timing:
    return interleaved({"": fn}, repeat)[""]


# -- main -------------------------------------------------------------------------------------


def run_kind(kind: str, data: bytes, repeat: int, tree: bool) -> list[dict[str, object]]:
    tag = "CLP" if kind == "835" else "CLM"
    index = 4 if tag == "CLP" else 2
    fast = interleaved({
        "bare split": lambda: bare(data, tag.encode(), index),
        "hcops": lambda: (hcops_835 if kind == "835" else hcops_837)(data),
        "hcops reference reading only": lambda: hcops_reference(data, kind),
    }, repeat)
    readers: list[tuple[str, str | None, Callable[[], Result], int]] = [
        ("pyx12 X12Reader (segments)", "pyx12", lambda: pyx12_segments(data, tag), 1),
    ]
    if tree:
        readers.append(("pyx12 X12ContextReader (loops)", "pyx12",
                        lambda: pyx12_tree(data, tag), 1))
    readers += [
        ("ansi-x12 tokenize+parse", "x12", lambda: ansi_x12(data, tag), max(1, repeat // 2)),
        ("openx12 (claims)", "openx12", lambda: openx12(data, kind), 1),
    ]
    rows = []
    results: list[tuple[str, Callable[[], Timing]]] = [
        (name, lambda v=value: v) for name, value in fast.items()]
    for name, module, fn, n in readers:
        if module is not None and not available(module):
            print(f"  {kind}: {name} skipped: module {module!r} is not installed")
            continue
        results.append((name, lambda fn=fn, n=n: timed(fn, n)))
    for name, outcome in results:
        try:
            seconds, cpu, (count, total) = outcome()
        except Exception as exc:  # a library failing on valid input is a result too
            print(f"  {kind}: {name} failed: {type(exc).__name__}: {exc}"[:300])
            rows.append({"reader": name, "error": type(exc).__name__})
            continue
        rows.append({"reader": name, "seconds": seconds, "cpu": cpu, "claims": count,
                     "total": total, "rate": count / seconds, "cpu_rate": count / cpu})
        print(f"  {kind}: {name:32s} {seconds:8.3f} s {cpu:8.3f} s CPU "
              f"{count / cpu:12,.0f} claims/CPU-s claims={count} sum={total}")
    return rows


def phases(kind: str, data: bytes, rounds: int) -> str:
    """Where hcops' time goes, in CPU time, best of `rounds` interleaved: the bare split, the
    tokenizer alone, tokenizer + readers (records built, not iterated), and `parse` with the
    benchmark's filter; and that last with the cyclic collector off."""
    import gc

    from ingest.formats import x12_835, x12_837
    from ingest.formats._x12_common import gc_paused
    from ingest.x12 import Transaction, iter_transactions

    module = x12_835 if kind == "835" else x12_837
    tag, index = (b"CLP", 4) if kind == "835" else (b"CLM", 2)

    def tokenize(read: bool) -> Result:
        transactions = iter_transactions(data)
        reader = module._file_reader()  # what `parse` reads each transaction with
        while True:
            with gc_paused():
                txn = next(transactions, None)
                if txn is None:
                    return 0, Decimal(0)
                if read and isinstance(txn, Transaction):
                    reader(txn)

    def parse_off() -> Result:
        gc.disable()
        try:
            return (hcops_835 if kind == "835" else hcops_837)(data)
        finally:
            gc.enable()

    best = interleaved({
        "bare split": lambda: bare(data, tag, index),
        "tokenizer": lambda: tokenize(False),
        "tokenizer + reading": lambda: tokenize(True),
        "parse + filter": lambda: (hcops_835 if kind == "835" else hcops_837)(data),
        "parse + filter, collector off": parse_off,
    }, rounds)
    floor = best["bare split"][1]
    cpu = {name: timing[1] / floor for name, timing in best.items()}
    return (f"{kind}: tokenizer {cpu['tokenizer']:.2f}x, reading "
            f"{cpu['tokenizer + reading'] - cpu['tokenizer']:.2f}x, iteration + filter + "
            f"collector {cpu['parse + filter'] - cpu['tokenizer + reading']:.2f}x, total "
            f"{cpu['parse + filter']:.2f}x ({cpu['parse + filter, collector off']:.2f}x with "
            "the collector off) of the bare split's CPU time")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=25_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-tree-837", action="store_true",
                        help="skip pyx12's X12ContextReader on the 837")
    parser.add_argument("--no-record", action="store_true", help="print only")
    parser.add_argument("--phases", action="store_true",
                        help="only print where hcops' time goes (tokenizer / reading / rest)")
    args = parser.parse_args()
    inputs = generate_inputs(args.claims, args.seed)
    if args.phases:
        for kind, (data, _) in inputs.items():
            print(phases(kind, data, max(args.repeat, 7)))
        return 0
    when = f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M}"
    lines = [f"\n### {when} UTC, commit {commit()}, {machine()}\n",
             "| file | reader | wall s | CPU s | claims / CPU s | claims | sum | hcops speed-up "
             "(CPU) |",
             "|---|---|---|---|---|---|---|---|"]
    ok = True
    verdicts = []
    for kind, (data, expected) in inputs.items():
        print(f"{kind}: {len(data) / 1e6:.1f} MB, {expected} claims")
        rows = run_kind(kind, data, args.repeat, tree=kind == "835" or not args.no_tree_837)
        ref = next(r for r in rows if r["reader"] == "hcops")
        floor = next(r for r in rows if r["reader"] == "bare split")
        for r in rows:
            if "error" in r:
                lines.append(f"| {kind} | {r['reader']} | failed: {r['error']} | | | | | |")
                continue
            same = r["claims"] == ref["claims"] and r["total"] == ref["total"]
            ratio = ref["cpu_rate"] / r["cpu_rate"]  # type: ignore[operator]
            lines.append(
                f"| {kind} ({len(data) / 1e6:.1f} MB) | {r['reader']} | {r['seconds']:.3f} | "
                f"{r['cpu']:.3f} | {r['cpu_rate']:,.0f} | {r['claims']} | {r['total']} "
                f"{'' if same else '**DIFFERS**'} | {ratio:.2f}x |")
            if not same:
                print(f"  {kind}: {r['reader']} DIFFERS from hcops")
                ok = ok and r["reader"] not in ("bare split", "hcops reference reading only")
        cpu_ratio = ref["cpu"] / floor["cpu"]  # type: ignore[operator]
        wall_ratio = ref["seconds"] / floor["seconds"]  # type: ignore[operator]
        text = (f"{kind}: hcops time / bare split time = {cpu_ratio:.2f}x CPU, "
                f"{wall_ratio:.2f}x wall (goal <= 4)")
        met = cpu_ratio <= 4
        tree_row = next((r for r in rows if "ContextReader" in r["reader"] and "rate" in r), None)
        if tree_row is not None:
            tree_ratio = ref["cpu_rate"] / tree_row["cpu_rate"]  # type: ignore[operator]
            text += f", hcops / pyx12 loop reader = {tree_ratio:.0f}x (goal >= 50)"
            met = met and tree_ratio >= 50
        pyx = next((r for r in rows if r["reader"].startswith("pyx12 X12Reader")
                    and "rate" in r), None)
        if pyx is not None:
            text += f", hcops / pyx12 segment reader = {ref['cpu_rate'] / pyx['cpu_rate']:.1f}x"
        hcops_lines_, bare_lines_ = hcops_lines(data, kind), bare_lines(data, kind)
        same_lines = hcops_lines_ == bare_lines_
        text += (f"; lines {hcops_lines_[0]}, line amounts {hcops_lines_[1]}"
                 + (f", CAS amounts {hcops_lines_[2]}" if kind == "835" else "")
                 + (" equal to the bare split's" if same_lines else
                    f" **DIFFER** from the bare split's {bare_lines_}"))
        ok = ok and same_lines
        amounts, distinct = amount_repetition(data, kind)
        text += f"; {amounts} amounts, {distinct} distinct"
        text += " — " + ("goal met (CPU time)" if met else "GOAL NOT MET")
        verdicts.append(text)
        print(text)
    lines.append("")
    lines += [f"- {v}" for v in verdicts]
    if not args.no_record:
        doc = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
        if SECTION.splitlines()[0] not in doc:
            doc = doc.rstrip("\n") + "\n\n" + SECTION
        DOC.write_text(doc.rstrip("\n") + "\n" + "\n".join(lines) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
