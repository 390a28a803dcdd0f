"""Who a fan is, as far as the platform must know: proof of age."""
