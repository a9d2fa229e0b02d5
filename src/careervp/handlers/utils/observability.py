"""The shared Powertools ``logger`` and ``tracer``.

Outside Lambda the tracer disables itself and importing this module prints nothing. Log with
ids, sizes and consumed capacity as keyword arguments; never CV text or secrets.
"""

from __future__ import annotations

import os

from aws_lambda_powertools import Logger, Tracer

__all__ = ["logger", "tracer"]

SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME", "careervp-dal")

logger = Logger(service=SERVICE)
tracer = Tracer(service=SERVICE)
