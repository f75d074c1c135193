"""Shim for Beam's --setup_file (Dataflow, Flink workers): the metadata lives in pyproject.toml."""

from setuptools import setup

setup()
