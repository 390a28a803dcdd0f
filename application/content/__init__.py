"""What creators sell beyond tips: pay-per-view offers today; the content library joins them."""
