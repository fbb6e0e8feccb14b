"""Demo data: the demo school (`seed-demo`) and the demo trust (`seed-demo --scale trust`)."""
