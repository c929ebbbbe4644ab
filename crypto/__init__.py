"""Pure cryptographic primitives for settleroom: no web, database or app imports."""
