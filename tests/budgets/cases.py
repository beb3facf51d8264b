"""Budget files that cannot be used, with what the error must name."""

MALFORMED_BUDGETS = {
    "budgets: [name: [": "not valid YAML",
    "budgets:\n  - {name: a, period: quarter, usd: 5}\n": "budgets.0.period",
    "budgets:\n  - {name: a, period: day, usd: -5}\n": "budgets.0.usd",
    "budgets:\n  - {name: a, period: day, usd: 5, where: {nope: x}}\n": "budgets.0.where.nope",
}
