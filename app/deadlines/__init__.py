"""FRCP 6 deadlines: the pure engine (``rules``) and ``GET /deadlines``.

A domain of its own because Rule 68, ENE and the pages all count periods with it; it
imports no other domain.
"""
