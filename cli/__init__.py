"""The `lyra` command line: the outermost layer, above the API it serves."""
