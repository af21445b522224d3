"""The statements of the reading pages, one idea a module: those behind `ProgressQueries`
(`adapters/storage/progress_queries.py`) and the inbox's, behind `WorkItemRepository.inbox_page`.

`statement_shapes`: a scope's shape and its bound values, the UNION ALL of parts;
`task_states`: a task's state on a day, most urgent first; `reader_scope`: who may read
a task; `text_search`: words matched and ranked; `search_states`: a search narrowed to a
state; `scope_conditions`: which tasks a scope keeps; `page_details`: a page's units,
steps and notices; `page_statements`: pages of tasks; `count_statements`: counts by state
and plan; `dashboard_statement`: the dashboard's counts; `inbox_holders`: whose steps an
inbox holds; `inbox_pages`: an inbox's pages; `inbox_totals`: an inbox's counts and filter
choices.
"""
