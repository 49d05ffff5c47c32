"""Roundtable."""
