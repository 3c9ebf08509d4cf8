"""Independent checks of the claim status files (005010X212) for the tests: pyx12 for the 277
responses and a bare segment split for the 276 inquiries (pyx12 has no 5010 276 map).

pyx12 ships its 277 X212 map (277.5010.X212.xml) unregistered and unfinished: maps.xml does
not list it, the 5010 control map's GS08 code list omits 005010X212, and the map itself
carries four defects that make every file fail before a single claim is read — its GS was
copied from another guide (GS01 = RA, GS08 = 005010X218), the 2000B loop shares position
0100 with the HL opening 2000A (so 2000A seems to start with a loop and HL*1**20 is "not
found"), and SE sits in a wrapper outside the transaction. `x212_map_dir` copies pyx12's map
folder and repairs exactly those (codes and positions only; every segment, element, usage,
length and code-list rule stays pyx12's). The repaired map accepts the X212 guide's own
example responses of the corpus and still rejects their faults (tested). pyx12 ships the
claim status code lists (507 / 508) but no map refers to them: `unknown_status_codes` checks
STC against them."""

from __future__ import annotations

import io
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pyx12
import pyx12.codes
import pyx12.params
import pyx12.x12n_document

X212 = "005010X212"
MAP = "277.5010.X212.xml"
CONTROL_MAP = "x12.control.00501.xml"
PARAMS = pyx12.params.params()  # one instance: part of the (cached) map loader's key


def _element(root: ET.Element, segment: str, element: str) -> ET.Element:
    node = root.find(f".//segment[@xid='{segment}']")
    assert node is not None, segment
    found = next(e for e in node.iter("element") if e.get("xid") == element)
    return found.find("valid_codes")  # type: ignore[return-value]


def _repair_x212(path: Path) -> None:
    tree = ET.parse(path)
    root = tree.getroot()
    _element(root, "GS", "GS01")[0].text = "HN"
    _element(root, "GS", "GS08")[0].text = X212
    source = root.find(".//loop[@xid='2000A']")
    receiver = source.find("loop[@xid='2000B']") if source is not None else None
    assert receiver is not None
    receiver.find("pos").text = "0600"  # type: ignore[union-attr]  # after 2100A (0500)
    group = root.find(".//loop[@xid='GS_LOOP']")
    assert group is not None
    wrapper = group.find("loop[@xid='TABLE2AREA3']")
    transaction = group.find("loop[@xid='ST_LOOP']")
    assert wrapper is not None and transaction is not None
    trailer = wrapper.find("segment[@xid='SE']")
    assert trailer is not None
    group.remove(wrapper)
    trailer.find("pos").text = "0200"  # type: ignore[union-attr]
    transaction.append(trailer)
    tree.write(path, encoding="utf-8", xml_declaration=True)


def x212_map_dir(target: Path) -> Path:
    """A copy of pyx12's map folder with the 277 X212 map registered (GS01 HN) and repaired."""
    source = Path(pyx12.__file__).parent / "map"
    shutil.copytree(source, target)
    _repair_x212(target / MAP)
    control = ET.parse(target / CONTROL_MAP)
    ET.SubElement(_element(control.getroot(), "GS", "GS08"), "code").text = X212
    control.write(target / CONTROL_MAP, encoding="utf-8", xml_declaration=True)
    maps = ET.parse(target / "maps.xml")
    version = maps.getroot().find("version[@icvn='00501']")
    assert version is not None
    ET.SubElement(version, "map", vriic=X212, fic="HN", abbr="277").text = MAP
    maps.write(target / "maps.xml", encoding="utf-8", xml_declaration=True)
    return target


def pyx12_valid(path: Path, map_dir: Path) -> bool:
    """pyx12's verdict on an X12 file, with the X212 277 map available."""
    return bool(pyx12.x12n_document.x12n_document(
        param=PARAMS, src_file=str(path), fd_997=None, fd_html=None, fd_xmldoc=None,
        fd_json=io.StringIO(), map_path=str(map_dir)))


def unknown_status_codes(path: Path) -> list[str]:
    """STC composites whose category or status code is not in pyx12's code lists 507 / 508
    (codes.xml ships them, but no map refers to them, so x12n_document does not check)."""
    codes = pyx12.codes.ExternalCodes()
    unknown = []
    for seg in _split(path.read_text(encoding="utf-8")):
        if seg[0] != "STC":
            continue
        for composite in (seg[1], *(seg[i] for i in (10, 11) if len(seg) > i and seg[i])):
            category, status = (composite.split(":") + [""])[:2]
            if not (codes.isValid("claim_status_cat", category)
                    and codes.isValid("claim_status", status)):
                unknown.append(composite)
    return unknown


def _split(text: str) -> list[list[str]]:
    """A bare split: ISA byte 3 / 105 give the element separator and the terminator."""
    element, terminator = text[3], text[105]
    return [s.strip().split(element) for s in text.split(terminator) if s.strip()]


def _claim_errors(claim: list[list[str]], where: str) -> list[str]:
    """A 2000D subscriber with its one claim: DMG, NM1*IL, TRN*1, REF*EJ, AMT*T3, DTP*472
    (D8 or RD8)."""
    ids = [s[0] + (f"*{s[1]}" if s[0] in ("NM1", "REF", "AMT", "DTP", "TRN") else "")
           for s in claim]
    errors = [f"{where}: no {need}" for need in ("DMG", "NM1*IL", "TRN*1", "REF*EJ", "AMT*T3",
                                                 "DTP*472") if need not in ids]
    for seg in claim:
        dates = seg[3].split("-") if seg[0] == "DTP" and len(seg) > 3 else []
        if seg[0] == "DTP" and not (
                len(dates) == {"D8": 1, "RD8": 2}.get(seg[2])
                and all(len(d) == 8 and d.isdigit() for d in dates)):
            errors.append(f"{where}: DTP*472 {seg}")
        if seg[0] == "AMT" and not seg[2].replace(".", "", 1).isdigit():
            errors.append(f"{where}: AMT {seg}")
    return errors


def _hierarchy_errors(body: list[list[str]], where: str) -> list[str]:
    """HL ids 1, 2, 3 ...; each parent known, of the level above (20 > 21 > 19 > 22)."""
    above = {"21": "20", "19": "21", "22": "19"}
    levels: dict[str, str] = {}
    errors = []
    hls = [s for s in body if s[0] == "HL"]
    for n, hl in enumerate(hls, start=1):
        if hl[1] != str(n):
            errors.append(f"{where}: HL01 {hl[1]} is not {n}")
        if hl[3] == "20" and hl[2] == "":
            levels[hl[1]] = "20"
        elif levels.get(hl[2]) == above.get(hl[3]):
            levels[hl[1]] = hl[3]
        else:
            errors.append(f"{where}: HL*{hl[1]} level {hl[3]} under {levels.get(hl[2])}")
    return errors


def _transaction_errors(st: list[list[str]], where: str) -> list[str]:
    errors = []
    if st[0][1:] != ["276", st[0][2], X212] or st[-1][0] != "SE":
        errors.append(f"{where}: ST {st[0]}")
    if st[-1][0] == "SE" and (st[-1][1] != str(len(st)) or st[-1][2] != st[0][2]):
        errors.append(f"{where}: SE {st[-1]} (counted {len(st)})")
    if len(st) < 2 or st[1][:3] != ["BHT", "0010", "13"] or len(st[1]) != 6:
        errors.append(f"{where}: BHT {st[1] if len(st) > 1 else None}")
    body = st[2:-1]
    errors += _hierarchy_errors(body, where)
    starts = [i for i, s in enumerate(body) if s[0] == "HL"] + [len(body)]
    for start, stop in zip(starts, starts[1:], strict=False):
        hl, loop = body[start], body[start + 1:stop]
        qualifier = {"20": "PR", "21": "41", "19": "1P"}.get(hl[3])
        if qualifier and not (loop and loop[0][:2] == ["NM1", qualifier] and loop[0][9]):
            errors.append(f"{where}: HL*{hl[1]} without NM1*{qualifier}")
        if hl[3] == "22":
            errors += _claim_errors(loop, f"{where} HL*{hl[1]}")
    return errors


def structural_276_errors(data: bytes) -> list[str]:
    """What a bare split finds wrong in a 276 interchange (empty: well-formed): UTF-8, ISA /
    GS / GE / IEA controls and counts, GS01 HR and GS08 005010X212, ST / SE counts and
    controls, BHT*0010*13, the HL tree and each claim's required segments."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return [f"not UTF-8: {exc}"]
    if not text.startswith("ISA") or len(text) < 106:
        return ["no ISA"]
    segments = _split(text)
    isa, gs, ge, iea = segments[0], segments[1], segments[-2], segments[-1]
    errors = []
    if len(isa) != 17 or gs[0] != "GS" or gs[1] != "HR" or gs[8:] != [X212]:
        errors.append(f"envelope {isa[:1]} {gs}")
    transactions: list[list[list[str]]] = []
    for seg in segments[2:-2]:
        if seg[0] == "ST":
            transactions.append([])
        if not transactions:
            errors.append(f"{seg[0]} outside a transaction")
            break
        transactions[-1].append(seg)
    if ge[0] != "GE" or ge[1:] != [str(len(transactions)), gs[6]]:
        errors.append(f"GE {ge}")
    if iea[0] != "IEA" or iea[1:] != ["1", isa[13]]:
        errors.append(f"IEA {iea}")
    for st in transactions:
        errors += _transaction_errors(st, f"ST {st[0][2] if len(st[0]) > 2 else '?'}")
    return errors
