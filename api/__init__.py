"""HTTP: commands go to application services, reads come from projections."""
