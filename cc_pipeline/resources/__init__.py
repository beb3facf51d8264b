"""The only doors to the outside world: ClickHouse (embedded or server) and the stack."""
