"""One router per resource; each holds its request and response schemas."""
