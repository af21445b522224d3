"""Deadlines kept: working days, office days, report dates, the timer sweep, notices
and their mail, extension requests, and dates set on tasks after import."""
