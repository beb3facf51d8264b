"""The warehouse: a typed face over the ClickHouse client every module is handed."""

from cc_pipeline.warehouse.client import Parameters, Row, Warehouse

__all__ = ["Parameters", "Row", "Warehouse"]
