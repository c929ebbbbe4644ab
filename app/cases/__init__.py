"""Case rooms: captions, parties, claims and members."""
