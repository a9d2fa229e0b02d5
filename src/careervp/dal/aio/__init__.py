"""The async handler (``careervp-dal[async]``): the store's methods as coroutines on
aiobotocore, over the same plans, codec and tokens as ``careervp.dal.DynamoDalHandler``.

::

    async with open_handler() as store:          # once per application
        saved = await store.save_tailored_cv(application_id, data)
        if saved.success:
            ...

A version saved by either handler is read by the other, and page tokens signed with the same
secret continue in either. Importing this module is the only thing that imports aiobotocore.
"""

from careervp.dal.aio._client import build_async_client
from careervp.dal.aio._handler import AsyncDynamoDalHandler, open_handler

__all__ = ["AsyncDynamoDalHandler", "build_async_client", "open_handler"]
