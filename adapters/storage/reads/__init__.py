"""The statements behind `ProgressQueries` (`adapters/storage/progress_queries.py`), one idea a module.

`statement_shapes`: a scope's shape and its bound values, the UNION ALL of parts;
`task_states`: a task's state on a day, most urgent first; `reader_scope`: who may read
a task; `text_search`: words matched and ranked; `search_states`: a search narrowed to a
state; `scope_conditions`: which tasks a scope keeps; `page_details`: a page's units,
steps and notices; `page_statements`: pages of tasks; `count_statements`: counts by state
and plan; `dashboard_statement`: the dashboard's counts.
"""
