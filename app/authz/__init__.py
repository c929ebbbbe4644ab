"""Authorization: the permission table, pure policy functions, and the one request guard."""
