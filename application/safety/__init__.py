"""Safety checks on what creators write: blocked terms and real-person likeness."""
