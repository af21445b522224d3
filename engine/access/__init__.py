"""Who people are: accounts, passwords, and what each may read and do."""
