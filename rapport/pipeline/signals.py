"""What the pipeline tells other apps without importing them (like the gate artefacts' registry):
an opportunity changed hands. The quotes app keeps each quote's stored owner — which its lists
are scoped and indexed by — equal to its opportunity's owner (decision 0011)."""

from django.dispatch import Signal

#: sent inside the transaction that saved the change; arguments `opportunity`, `previous_owner_id`
opportunity_owner_changed = Signal()
