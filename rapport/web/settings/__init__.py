"""Administrators' settings pages: people, structure, rights, custom fields, reference data."""
