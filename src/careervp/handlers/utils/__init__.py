"""Utilities for Lambda handlers."""
