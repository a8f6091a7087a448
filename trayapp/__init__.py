"""Ippo (一報): keep the "I reply within 24 hours" promise across every inquiry inbox."""

__version__ = "0.1.0"
