"""Risk registers: their models arrive with issue #4."""
