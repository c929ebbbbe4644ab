"""Seats in a case room: invitations by e-mail, their acceptance or refusal, the platform
admin's bootstrap seating, and leaving or removing a seat. Who may give which seat is
decided by the pure rules of ``app.authz.policy_seats``."""
