"""One module per event-sourced aggregate."""
