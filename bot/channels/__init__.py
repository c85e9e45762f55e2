"""Inbound channels: verify the signature, decrypt, parse, dispatch, render the reply. Nothing else."""
