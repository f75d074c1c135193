"""Beam steps: thin wrappers that adapt the pure functions to PCollections."""
