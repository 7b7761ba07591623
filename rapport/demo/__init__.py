"""Demo data for Rapport (`manage.py seed_demo`); the generator is in `seed.py`."""
