"""Rendering: tables, JSON, CSV, Markdown. Never computes numbers."""
