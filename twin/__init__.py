"""Jumeau numérique du système de santé français — digital twin of the French health system."""

__version__ = "0.1.0"
