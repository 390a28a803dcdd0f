"""Application services (commands), the composition root and the command line."""
