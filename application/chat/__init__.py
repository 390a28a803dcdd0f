"""Chat modes. Companion and intimate are parallel packages: neither imports the other."""
