"""The effort ledger (エフォート) across awards, pending proposals and outside funding."""
