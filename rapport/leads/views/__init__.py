"""Lead pages, split by concept; each module lists its own `urlpatterns` (joined in `rapport.leads.urls`)."""
