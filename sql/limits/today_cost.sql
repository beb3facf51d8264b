-- Today's cost for the status line: every user and project, one UTC day, each request once.
SELECT sum(cost_usd) FROM usage_daily WHERE day = {day:Date}
