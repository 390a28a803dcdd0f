"""Rate limits and load shedding, decided from a request's method, path and credentials before
its body is read (docs/operations.md, "Limits")."""
