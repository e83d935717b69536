"""The sanctions registry shared by every agency: decisions, reciprocity, publication."""
