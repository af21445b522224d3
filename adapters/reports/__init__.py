"""Report files: the period report as Word (`docx_report`) and the task list as Excel
(`xlsx_report`), both from `engine.reading.period_reports.PeriodReport` and the same columns (`rows`)."""
