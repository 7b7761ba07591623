from rapport.core.models.audit import AuditAction, AuditEntry
from rapport.core.models.currency import Currency, ExchangeRate
from rapport.core.models.customfields import CustomField, CustomFieldType
from rapport.core.models.jobs import Job, JobStatus
from rapport.core.models.notifications import Notification
from rapport.core.models.org import OrganisationSettings, Team, Territory
from rapport.core.models.tokens import ApiToken
from rapport.core.models.users import LoginEvent, Role, RoleCode, RolePermission, Scope, User
from rapport.core.models.views import SavedView

__all__ = [
    "ApiToken",
    "AuditAction",
    "AuditEntry",
    "Currency",
    "CustomField",
    "CustomFieldType",
    "ExchangeRate",
    "Job",
    "JobStatus",
    "LoginEvent",
    "Notification",
    "OrganisationSettings",
    "Role",
    "RoleCode",
    "RolePermission",
    "SavedView",
    "Scope",
    "Team",
    "Territory",
    "User",
]
