"""Turning curves into findings: butt wink, over-arching, likely cause, safe depth."""
