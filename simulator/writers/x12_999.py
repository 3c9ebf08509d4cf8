"""999 (005010X231A1) implementation acknowledgments: one interchange per 837 batch, from the
clearinghouse back to the submitter, the same day. A rejected batch (AK9*R) never reaches the
payer: every transaction set of it is rejected (IK5*R) with the element in error."""

from __future__ import annotations

import datetime as dt

from simulator.model import Simulation
from simulator.network import Network
from simulator.writers.x12 import Envelope, composite, interchange, segment, transaction
from simulator.writers.x12_837 import batches, transactions_of

VERSION = "005010X231A1"
ACK_TIME = dt.time(23, 30)


def render(network: Network, simulation: Simulation) -> dict[str, str]:
    """File name -> content: `999_<837 file stem>.x12` for every 837 batch."""
    files = {}
    for batch in batches(simulation):
        entity = network.legal_entity(batch.entity_code)
        sets = transactions_of(batch)
        body = [segment("AK1", "HC", batch.control, batch.version)]
        for n in range(1, len(sets) + 1):
            body.append(segment("AK2", "837", f"{n:04d}", batch.version))
            if batch.accepted:
                body.append(segment("IK5", "A"))
            else:  # the submitter id of loop 1000A is not enrolled for this sender
                body += [segment("IK3", "NM1", "3", "", "8"),
                         segment("IK4", composite("9"), "67", "7", entity.submitter_id),
                         segment("IK5", "R", "5")]
        count = len(sets)
        body.append(segment("AK9", "A" if batch.accepted else "R", count, count,
                            count if batch.accepted else 0))
        envelope = Envelope(network.clearinghouse_id, entity.submitter_id, "FA", VERSION,
                            dt.datetime.combine(batch.day, ACK_TIME), batch.control)
        files[f"999_{batch.name}.x12"] = interchange(envelope, [transaction("999", 1, VERSION,
                                                                            body)])
    return files
