"""Placeholder until the update rules land."""
