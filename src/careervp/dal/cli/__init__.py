"""``careervp-dal``: the operator's command line for the tailored-CV store."""

from careervp.dal.cli.app import main

__all__ = ["main"]
