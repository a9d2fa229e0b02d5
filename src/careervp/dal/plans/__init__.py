"""The store's operations as plans: validate, build each request, interpret each response.

Plans are generators over ``Call`` values (``_calls``) and never touch a client; the handler
runs them with the blocking sender in ``careervp.dal.sender``. ``docs/architecture.md`` draws
the layers.
"""

from careervp.dal.plans._calls import Call, Note, Plan, Sleep
from careervp.dal.plans._context import StoreContext
from careervp.dal.plans._save import MAX_SAVE_ATTEMPTS, save
from careervp.dal.plans._summaries import list_summaries
from careervp.dal.plans._upgrade import encrypt_page
from careervp.dal.plans._user import count_user, erase_user, export_user, list_user
from careervp.dal.plans._versions import (
    delete_version,
    get_latest,
    get_version,
    list_application,
    list_application_page,
)

__all__ = [
    "MAX_SAVE_ATTEMPTS",
    "Call",
    "Note",
    "Plan",
    "Sleep",
    "StoreContext",
    "count_user",
    "delete_version",
    "encrypt_page",
    "erase_user",
    "export_user",
    "get_latest",
    "get_version",
    "list_application",
    "list_application_page",
    "list_summaries",
    "list_user",
    "save",
]
