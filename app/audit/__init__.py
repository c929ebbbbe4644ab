"""The audit log: every state change and every refused attempt, ids only."""
