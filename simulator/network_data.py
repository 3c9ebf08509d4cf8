"""The network's static data (a Python data module: the project carries no YAML reader):
legal entities, services, payers, the facility list of the 20-facility network, specialties,
departments and the names providers are drawn from. All names are invented; identifiers are
synthetic but structurally valid. `simulator.network` turns these rows into the model."""

from __future__ import annotations

from decimal import Decimal

D = Decimal

# code, name, tax id (EIN), group NPI base (9 digits), submitter id, address
LEGAL_ENTITY_ROWS = (
    ("NHP", "NORTHHAVEN HEALTH PARTNERS", "841726305", "159300001", "NHPBILLING",
     ("100 HARBOR VIEW DR", "NORTHHAVEN", "MA", "019100001")),
    ("RMG", "RIVERBEND MEDICAL GROUP", "862250417", "159300002", "RMGBILLING",
     ("2400 MILL RACE RD", "RIVERBEND", "CT", "061000002")),
)

# the parent: its central billing office bills some payers for every entity's facilities under
# the parent's TIN (ClaimsParams.shared_billing_payer_types), so its 835s pay other entities'
# claims too (truth/intercompany.csv)
PARENT_ENTITY_CODE = "NHP"

# code, description, charge, service line, department, minutes, typical diagnoses
SERVICE_ROWS = (
    ("99203", "Office visit new patient low MDM", D("240.00"), "primary_care", "PRIMARYCARE",
     30, ("Z0000", "J069", "M545")),
    ("99213", "Office visit established patient low MDM", D("175.00"), "primary_care",
     "PRIMARYCARE", 20, ("I10", "E119", "J069", "M545")),
    ("99214", "Office visit established patient moderate MDM", D("250.00"), "primary_care",
     "PRIMARYCARE", 30, ("I10", "E119", "E785", "R0602")),
    ("99284", "Urgent evaluation moderate MDM", D("650.00"), "urgent_care", "URGENT", 45,
     ("R079", "S93401A", "J189", "R1030")),
    ("93000", "Electrocardiogram with interpretation", D("85.00"), "cardiology", "CARDIOLOGY",
     15, ("R079", "I10", "R002")),
    ("71046", "Chest x-ray two views", D("160.00"), "radiology", "RADIOLOGY", 15,
     ("R0602", "J189", "R05")),
    ("80053", "Comprehensive metabolic panel", D("95.00"), "laboratory", "LAB", 10,
     ("E119", "I10", "E785")),
    ("36415", "Routine venipuncture", D("25.00"), "laboratory", "LAB", 5, ("E119", "I10")),
    # specialty practices only (facilities 8+ of the network: never in the 3-facility default)
    ("93306", "Echocardiography complete with doppler", D("1450.00"), "cardiology",
     "CARDIOLOGY", 60, ("I509", "I10", "R011")),
    ("20610", "Arthrocentesis major joint", D("310.00"), "orthopedics", "ORTHOPEDICS", 30,
     ("M1711", "M1712", "M25561")),
    ("73562", "X-ray knee three views", D("180.00"), "radiology", "RADIOLOGY", 15,
     ("M1711", "M25561", "S83241A")),
)

# Medicare-like base rates (allowed per unit); other payers apply their rate factor
BASE_RATES = {
    "99203": D("110.40"), "99213": D("91.80"), "99214": D("129.60"), "99284": D("124.30"),
    "93000": D("17.20"), "71046": D("32.90"), "80053": D("10.60"), "36415": D("3.10"),
    "93306": D("215.40"), "20610": D("62.80"), "73562": D("38.10"),
}

# coverage mix of the patient population: payer id -> weight
PAYER_MIX = (("MCRB1", 0.30), ("MCDST", 0.17), ("BCHP1", 0.21), ("SMCI2", 0.14),
             ("NSTA3", 0.11), ("SELF", 0.07))

CLINIC_MIX = (("99213", 0.40), ("99214", 0.28), ("99203", 0.14), ("80053", 0.12),
              ("93000", 0.06))
URGENT_MIX = (("99284", 0.30), ("99213", 0.25), ("99214", 0.15), ("71046", 0.18),
              ("93000", 0.12))
DIAGNOSTIC_MIX = (("71046", 0.40), ("80053", 0.35), ("93000", 0.25))
HOSPITAL_OP_MIX = (("99213", 0.24), ("99214", 0.22), ("71046", 0.18), ("80053", 0.16),
                   ("93000", 0.12), ("36415", 0.08))
CARDIOLOGY_MIX = (("99214", 0.34), ("99203", 0.16), ("93000", 0.30), ("93306", 0.20))
ORTHOPEDICS_MIX = (("99214", 0.30), ("99203", 0.20), ("73562", 0.30), ("20610", 0.20))

# kind -> (specialties (name, NUCC taxonomy), clinical department of the E/M visits)
SPECIALTIES = {
    "hospital_outpatient": ((("Internal Medicine", "207R00000X"),
                             ("Diagnostic Radiology", "2085R0202X")), "PRIMARYCARE"),
    "ambulatory_clinic": ((("Family Medicine", "207Q00000X"),
                           ("Internal Medicine", "207R00000X")), "PRIMARYCARE"),
    "urgent_care": ((("Emergency Medicine", "207P00000X"),
                     ("Family Medicine", "207Q00000X")), "URGENT"),
    "diagnostic_center": ((("Diagnostic Radiology", "2085R0202X"),
                           ("Cardiology", "207RC0000X")), "RADIOLOGY"),
    "specialty_cardiology": ((("Cardiology", "207RC0000X"),), "CARDIOLOGY"),
    "specialty_orthopedics": ((("Orthopaedic Surgery", "207X00000X"),), "ORTHOPEDICS"),
}

# Provider template sessions per facility kind: weekday sessions, Saturday session
# (HH:MM start, HH:MM end)
SESSIONS = {
    "hospital_outpatient": ((("07:30", "12:00"), ("12:30", "17:00")), (("08:00", "12:00"),)),
    "ambulatory_clinic": ((("08:00", "12:00"), ("13:00", "17:00")), (("09:00", "13:00"),)),
    "urgent_care": ((("08:00", "13:00"), ("13:30", "19:30")), (("09:00", "15:00"),)),
    "diagnostic_center": ((("07:30", "12:00"), ("12:30", "16:30")), (("08:00", "12:00"),)),
    "specialty_cardiology": ((("08:00", "12:00"), ("13:00", "17:00")), ()),
    "specialty_orthopedics": ((("08:00", "12:00"), ("13:00", "17:00")), ()),
}

# code, name, facility type, specialty kind (key of SPECIALTIES / SESSIONS), region, address,
# weekday volume, service mix, rooms, open on Saturday, scheduling system of the facility
# (hl7 = the network's SIU feed; fhir / csv = an acquired practice's own vendor)
FACILITY_ROWS = (
    ("NHO", "NORTHHAVEN HOSPITAL OUTPATIENT CENTER", "hospital_outpatient",
     "hospital_outpatient", "north", ("12 ELM COURT", "NORTHHAVEN", "MA", "019100012"), 30,
     HOSPITAL_OP_MIX, 8, True, "hl7"),
    ("RVC", "RIVERBEND CLINIC", "ambulatory_clinic", "ambulatory_clinic", "south",
     ("88 WILLOW LANE", "RIVERBEND", "CT", "061000088"), 24, CLINIC_MIX, 5, False, "fhir"),
    ("LKU", "LAKESIDE URGENT CARE", "urgent_care", "urgent_care", "north",
     ("5 SHORE RD", "LAKESIDE", "MA", "019200005"), 28, URGENT_MIX, 4, True, "csv"),
    ("MDD", "MEADOWVIEW DIAGNOSTICS", "diagnostic_center", "diagnostic_center", "south",
     ("410 PRAIRIE AVE", "MEADOWVIEW", "CT", "061100410"), 22, DIAGNOSTIC_MIX, 3, False, "hl7"),
    ("HCF", "HILLCREST FAMILY MEDICINE", "ambulatory_clinic", "ambulatory_clinic", "west",
     ("77 SUMMIT ST", "HILLCREST", "NY", "125000077"), 26, CLINIC_MIX, 5, False, "hl7"),
    ("BRU", "BROOKSIDE URGENT CARE", "urgent_care", "urgent_care", "west",
     ("19 CREEK BLVD", "BROOKSIDE", "NY", "125100019"), 32, URGENT_MIX, 4, True, "fhir"),
    ("RHO", "RIVERBEND HOSPITAL OUTPATIENT PAVILION", "hospital_outpatient",
     "hospital_outpatient", "south", ("2410 MILL RACE RD", "RIVERBEND", "CT", "061000410"), 34,
     HOSPITAL_OP_MIX, 8, True, "hl7"),
    ("NCA", "NORTHHAVEN CARDIOLOGY ASSOCIATES", "specialty_practice", "specialty_cardiology",
     "north", ("140 HARBOR VIEW DR", "NORTHHAVEN", "MA", "019100140"), 16, CARDIOLOGY_MIX, 4,
     False, "hl7"),
    ("SOR", "SUMMIT ORTHOPEDICS", "specialty_practice", "specialty_orthopedics", "west",
     ("9 RIDGE PKWY", "HILLCREST", "NY", "125000009"), 18, ORTHOPEDICS_MIX, 4, False, "fhir"),
    ("PKC", "PARKSIDE COMMUNITY CLINIC", "ambulatory_clinic", "ambulatory_clinic", "east",
     ("301 PARK ST", "PARKSIDE", "RI", "029000301"), 22, CLINIC_MIX, 5, False, "hl7"),
    ("WFC", "WESTFIELD CLINIC", "ambulatory_clinic", "ambulatory_clinic", "west",
     ("56 ORCHARD RD", "WESTFIELD", "NY", "125200056"), 20, CLINIC_MIX, 4, False, "hl7"),
    ("HCC", "HILLCREST CARDIOLOGY", "specialty_practice", "specialty_cardiology", "west",
     ("81 SUMMIT ST", "HILLCREST", "NY", "125000081"), 14, CARDIOLOGY_MIX, 3, False, "hl7"),
    ("EUC", "EASTPORT URGENT CARE", "urgent_care", "urgent_care", "east",
     ("7 DOCK SQ", "EASTPORT", "RI", "029100007"), 26, URGENT_MIX, 4, True, "fhir"),
    ("GVO", "GREENVALE ORTHOPEDICS", "specialty_practice", "specialty_orthopedics", "south",
     ("12 GREEN ST", "GREENVALE", "CT", "061200012"), 15, ORTHOPEDICS_MIX, 3, False, "hl7"),
    ("LHO", "LAKESIDE HOSPITAL OUTPATIENT", "hospital_outpatient", "hospital_outpatient",
     "north", ("1 HOSPITAL DR", "LAKESIDE", "MA", "019200001"), 32, HOSPITAL_OP_MIX, 8, True,
     "hl7"),
    ("CMC", "CEDAR MILL CLINIC", "ambulatory_clinic", "ambulatory_clinic", "east",
     ("44 MILL ST", "CEDAR MILL", "RI", "029200044"), 21, CLINIC_MIX, 4, False, "fhir"),
    ("SPD", "SOUTHPOINT DIAGNOSTICS", "diagnostic_center", "diagnostic_center", "south",
     ("600 POINT RD", "SOUTHPOINT", "CT", "061300600"), 20, DIAGNOSTIC_MIX, 3, False, "hl7"),
    ("BFM", "BAYVIEW FAMILY MEDICINE", "ambulatory_clinic", "ambulatory_clinic", "east",
     ("15 BAY ST", "BAYVIEW", "RI", "029300015"), 23, CLINIC_MIX, 5, False, "hl7"),
    ("OKU", "OAKRIDGE URGENT CARE", "urgent_care", "urgent_care", "south",
     ("230 OAK RIDGE RD", "OAKRIDGE", "CT", "061400230"), 27, URGENT_MIX, 4, True, "hl7"),
    ("WPC", "WILLOWBROOK PEDIATRIC CLINIC", "ambulatory_clinic", "ambulatory_clinic", "north",
     ("3 BROOK LN", "WILLOWBROOK", "MA", "019300003"), 22, CLINIC_MIX, 5, False, "hl7"),
)

GIVEN_NAMES = ("ARDEN", "BRYNN", "CALDER", "DARIEN", "ELOWEN", "FARIS", "GWYN", "HOLLIS",
               "IMRI", "JORAH", "KESTREL", "LIORA", "MARLO", "NAVI", "ORRIN", "PERRIN")
FAMILY_NAMES = ("ASHGROVE", "BRAMBLEWOOD", "COPPERFIELD", "DUNMERE", "EMBERLY", "FENWICK",
                "GLENHOLLOW", "HARROWGATE", "IVYBRIDGE", "JUNIPERO", "KILNSEY", "LARKSPUR",
                "MOSSVALE", "NETHERBY", "OAKMERE", "PINEHURSTE")

# departments whose cost center is the facility's ancillary-services cost center
ANCILLARY_DEPARTMENTS = frozenset({"LAB", "RADIOLOGY"})
