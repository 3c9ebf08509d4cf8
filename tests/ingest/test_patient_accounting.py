"""Patient-accounting extract reader: typed rows, bad rows as dead letters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ingest.formats import detect_source, patient_accounting
from ingest.landing import record_key
from ingest.records import Appeal, DeadLetter, PatientPayment, Refund, WriteOff

PAYMENTS = (
    b"transaction_id,posted_date,claim_id,facility_code,payer_id,channel,amount\n"
    b"PA2026011900001,2026-01-19,VLKU000338,LKU,NSTA3,point_of_service,20.00\n"
    b'PA2026011900002,2026-01-19,VLKU000343,LKU,,portal,"1,020.50"\n'
)
FILE = "patient_accounting/2026-01-25/patient_payments.csv"


def test_payments_typed_with_extract_date() -> None:
    first, second = patient_accounting.parse(PAYMENTS, FILE)
    assert first == PatientPayment(
        "PA2026011900001",
        dt.date(2026, 1, 19),
        "VLKU000338",
        "LKU",
        "NSTA3",
        "point_of_service",
        Decimal("20.00"),
        dt.date(2026, 1, 25),
    )
    assert second.payer_id is None and second.amount == Decimal("1020.50")
    assert record_key(first) != record_key(second)


def test_each_file_its_kind() -> None:
    rows = {
        "write_offs": b"transaction_id,posted_date,claim_id,facility_code,payer_id,"
        b"write_off_type,carc,amount\nT1,2026-01-28,V1,NHO,MCRB1,small_balance,,2.74\n",
        "appeals": b"transaction_id,posted_date,claim_id,facility_code,payer_id,appeal_event,"
        b"carc,denial_date,appeal_deadline,amount\n"
        b"T2,2026-02-03,V2,NHO,MCRB1,filed,CO-50,2026-01-20,,150.00\n",
        "refunds": b"transaction_id,posted_date,claim_id,facility_code,payer_id,payee,amount\n"
        b"T3,2026-02-04,V3,RVC,AET1,patient,-12.00\n",
    }
    (write_off,) = patient_accounting.parse(rows["write_offs"], "2026-02-01/write_offs.csv")
    assert isinstance(write_off, WriteOff) and write_off.carc is None
    assert write_off.amount == Decimal("2.74")
    (appeal,) = patient_accounting.parse(
        rows["appeals"], "patient_accounting/2026-02-08/appeals.csv"
    )
    assert isinstance(appeal, Appeal)
    assert appeal.denial_date == dt.date(2026, 1, 20) and appeal.appeal_deadline is None
    (refund,) = patient_accounting.parse(rows["refunds"], "x/refunds.csv")
    assert isinstance(refund, Refund) and refund.extract_date is None
    # an unexpected file name: the kind comes from the header
    (by_header,) = patient_accounting.parse(rows["refunds"], "2026-02-08/export.csv")
    assert isinstance(by_header, Refund)


def test_bad_rows_are_dead_letters_naming_file_row_and_column() -> None:
    data = PAYMENTS + (
        b"PA3,2026-13-01,V9,LKU,P,portal,5.00\n"  # bad date
        b"PA4,2026-01-20,,LKU,P,portal,5.00\n"  # empty claim id
        b"PA5,2026-01-20,V9,LKU,P,portal,abc\n"  # bad amount
        b"PA6,2026-01-20,V9,LKU,P,portal\n"  # short row
        b"PA7,2026-01-20,V9,LKU,P,portal,1.005\n"  # sub-cent amount
        b"\n"
        b"PA8,2026-01-21,V9,LKU,P,portal,7.00\n"
    )
    items = list(patient_accounting.parse(data, FILE))
    dead = [i for i in items if isinstance(i, DeadLetter)]
    good = [i for i in items if isinstance(i, PatientPayment)]
    assert [g.transaction_id for g in good] == ["PA2026011900001", "PA2026011900002", "PA8"]
    assert [d.offset for d in dead] == [2, 3, 4, 5, 6]
    assert all(d.source == "patient_accounting" and d.error_class == "InvalidValue" for d in dead)
    assert all(d.reason.startswith(f"{FILE} data row ") for d in dead)
    assert "'posted_date'" in dead[0].reason and "'claim_id'" in dead[1].reason
    assert "'amount'" in dead[2].reason and "6 columns" in dead[3].reason
    assert "two decimals" in dead[4].reason
    # the payload is header + row: re-drivable alone
    (again,) = patient_accounting.parse(
        dead[0].payload.replace("2026-13-01", "2026-01-13").encode(), FILE
    )
    assert isinstance(again, PatientPayment) and again.posted_date == dt.date(2026, 1, 13)


def test_bad_files_are_one_dead_letter() -> None:
    (unknown,) = patient_accounting.parse(b"a,b\n1,2\n", "2026-01-25/other.csv")
    assert unknown.error_class == "UnsupportedResource"
    (missing,) = patient_accounting.parse(
        b"transaction_id,posted_date,claim_id,channel,amount\nT,2026-01-01,V,web,1.00\n", FILE
    )
    assert missing.error_class == "MissingSegment" and "facility_code, payer_id" in missing.reason
    (empty,) = patient_accounting.parse(b"", FILE)
    assert empty.error_class == "MissingSegment"
    (binary,) = patient_accounting.parse(b"\xff\x00\x01", FILE)
    assert binary.error_class == "EncodingError"
    # header only: nothing
    assert list(patient_accounting.parse(PAYMENTS.split(b"\n")[0] + b"\n", FILE)) == []


def test_detection() -> None:
    assert detect_source(PAYMENTS, FILE) == "patient_accounting"
    assert detect_source(PAYMENTS, "2026-01-25/payments.csv") == "patient_accounting"
    assert detect_source(b"a,b\n1,2\n", "2026-01-05/payers.csv") == "erp_master"
