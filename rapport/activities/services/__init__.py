"""Activities' services: activities (`activities`), their types (`types`), calendar feeds (`feeds`)."""

from rapport.activities.services.activities import (
    ACTIVITY_FIELDS,
    AUDIT_FIELDS,
    activity_cancel,
    activity_create,
    activity_delete,
    activity_record_outcome,
    activity_update,
    compute_cost,
)
from rapport.activities.services.feeds import (
    feed_revoke,
    feed_token,
    feed_token_current,
    feed_token_regenerate,
    feed_user,
)
from rapport.activities.services.types import activity_type_create, activity_type_delete, activity_type_update

__all__ = [
    "ACTIVITY_FIELDS",
    "AUDIT_FIELDS",
    "activity_cancel",
    "activity_create",
    "activity_delete",
    "activity_record_outcome",
    "activity_type_create",
    "activity_type_delete",
    "activity_type_update",
    "activity_update",
    "compute_cost",
    "feed_revoke",
    "feed_token",
    "feed_token_current",
    "feed_token_regenerate",
    "feed_user",
]
