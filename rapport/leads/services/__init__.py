"""Lead use cases. Import from the modules (`rapport.leads.services.leads`, `.convert`, `.merge`…)."""
