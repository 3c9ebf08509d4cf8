"""ERP master-data CSV reader."""

from __future__ import annotations

import datetime as dt
import json

from ingest.formats import erp_master
from ingest.landing import record_key
from ingest.records import DeadLetter, MasterDataRecord

CSV = (
    b"facility_code,name,npi,legal_entity_code,facility_type,region,cost_center_code\n"
    b'NORTH01,"North Clinic, Main",3333333333,LE1,clinic,north,CC100\n'
    b"SOUTH02,South Clinic,4444444444,LE1,clinic\n"
    b"EAST03,East Hospital,5555555555,LE2,hospital,east,CC300\n"
)


def test_rows_with_entity_and_extract_date_from_the_folder() -> None:
    items = list(erp_master.parse(CSV, "2026-01-05/facilities.csv"))
    records = [i for i in items if isinstance(i, MasterDataRecord)]
    assert [(r.entity, r.extract_date, r.natural_key) for r in records] == [
        ("facilities", dt.date(2026, 1, 5), "NORTH01"),
        ("facilities", dt.date(2026, 1, 5), "EAST03"),
    ]
    attributes = json.loads(records[0].attributes)
    assert attributes["name"] == "North Clinic, Main" and attributes["npi"] == "3333333333"
    assert list(attributes) == sorted(attributes)
    (dead,) = [i for i in items if isinstance(i, DeadLetter)]
    assert (dead.error_class, dead.offset) == ("InvalidValue", 1)
    assert "5 columns, the header has 7" in dead.reason and dead.payload.startswith("SOUTH02,")


def test_date_in_the_file_name_and_missing_date() -> None:
    records = list(erp_master.parse(CSV, "facilities_2026-02-01.csv"))
    assert records[0].extract_date == dt.date(2026, 2, 1)
    (dead,) = erp_master.parse(CSV, "facilities.csv")
    assert isinstance(dead, DeadLetter) and "YYYY-MM-DD" in dead.reason


def test_payer_contracts_are_keyed_by_payer_service_and_effective_date() -> None:
    data = (
        b"payer_id,service_code,expected_reimbursement,effective_from,effective_to\n"
        b"PAY1,99213,80.00,2026-01-01,\n"
        b"PAY1,99214,120.00,2026-01-01,\n"
        b"PAY1,99213,85.00,2026-07-01,\n"
    )
    records = list(erp_master.parse(data, "2026-01-05/payer_contracts.csv"))
    assert [r.natural_key for r in records] == [
        "PAY1|99213|2026-01-01",
        "PAY1|99214|2026-01-01",
        "PAY1|99213|2026-07-01",
    ]
    assert len({record_key(r) for r in records}) == 3
