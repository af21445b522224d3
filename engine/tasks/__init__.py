"""A plan task's life in the office: intake, its steps, and the inbox that lists them."""
