"""Long work the user watches (jobs), the worker glue and the periodic schedule."""
