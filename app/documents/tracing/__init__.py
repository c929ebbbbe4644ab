"""Leak tracing: attribute a leaked copy to the download it came from, or to no one."""
