"""Where the API's rate budgets, turns in flight and refusal counts live: this process's memory
on the embedded default, or Redis shared by every worker and host."""
