"""Accounts and sign-in: passwords, tokens, second factors, the platform admin."""
