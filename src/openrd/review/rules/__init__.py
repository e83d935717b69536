"""The review office's rules, pure: conflicts of interest and reviewer assignment."""
