"""The language tables: how each language states an age, counts, names school years and youth,
and describes what needs a reviewer's eyes; one data file per language (data/xx.tsv)."""
