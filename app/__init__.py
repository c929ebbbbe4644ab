"""settleroom: encrypted per-case rooms for settlement negotiation."""
