"""Platform accounts."""
