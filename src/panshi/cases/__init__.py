"""Objections (异议) and credit repair (信用修复): cases, their events, commitments and evidence."""
