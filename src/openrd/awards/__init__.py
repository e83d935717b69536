"""Awards: funded projects with their fiscal-year budgets and stage gates."""
