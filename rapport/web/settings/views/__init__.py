"""Settings pages for administrators, one module per section. Every write goes through a service; every
view checks the role (`_common.administrator_required`)."""
