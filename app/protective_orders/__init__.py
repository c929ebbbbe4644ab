"""The protective order: tiers, Exhibit A, challenges and clawbacks."""
