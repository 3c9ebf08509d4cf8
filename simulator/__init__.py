"""The simulator: stands in for the source systems (scheduling, clearinghouse, payers, ERP),
writes their files in real formats and the ground truth. Only the CLI (`hcops generate`) and
tests import it; ingest never does."""

from simulator.generate import GenerationSummary, generate, simulate

__all__ = ["GenerationSummary", "generate", "simulate"]
