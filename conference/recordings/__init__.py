"""Recording calls: the API, the job table the recorder workers share, and the builtin recorder."""
