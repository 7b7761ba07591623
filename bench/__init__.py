"""Rapport's benchmarks (not part of the test suite): `python -m bench`, see bench/run.py."""
