"""The demo marketplace `lyra serve --demo` fills an empty development ledger with."""
