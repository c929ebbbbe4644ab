"""California Code of Civil Procedure section 998 offers to compromise (state courts)."""
