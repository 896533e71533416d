"""Packaged data: the default lot registry and contract presets."""
