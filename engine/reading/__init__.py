"""Read models: plan and task pages, progress, search, period reports."""
