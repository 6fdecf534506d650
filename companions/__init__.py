"""Modules that ann.py imports for jobs beside the network itself (such as fetching data)."""
