"""Manchuria 1945–1955: data, charts and build helpers for the open textbook chapter."""

__version__ = "0.1.0"
