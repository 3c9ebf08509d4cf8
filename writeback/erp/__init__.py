"""ERP adapters: the :class:`LedgerAdapter` protocol and its implementations."""

from writeback.erp.base import LedgerAdapter, LedgerBalance, PostingReport

__all__ = ["LedgerAdapter", "LedgerBalance", "PostingReport"]
