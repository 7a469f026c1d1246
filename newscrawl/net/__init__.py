"""Network safety helpers: address classification and a DNS resolver that enforces it."""
