"""A self-contained, offline HTML dashboard built from the rollup tables."""
