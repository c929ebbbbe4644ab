"""The shared kernel: small modules every domain may import, named by what they hold.

``schemas`` (the strict input base and common field checks), ``money`` (minor units and
currencies), ``timefmt`` (timestamps on the wire), ``papers`` (plain PDF documents),
``idempotency`` (Idempotency-Key replay). The kernel imports no domain.
"""
