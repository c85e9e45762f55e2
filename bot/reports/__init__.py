"""Monthly outputs for people: the printed table, the Excel ledger (台账), the ranking chart, the bulletin (通报)."""
