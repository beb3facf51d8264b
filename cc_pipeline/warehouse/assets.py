"""Dagster asset specs drawn from the catalog: description, group, dependencies, columns."""

from __future__ import annotations

import dagster as dg

from cc_pipeline import catalog
from cc_pipeline.catalog import Relation


def column_schema(relation: Relation) -> dg.TableSchema:
    """The relation's contract columns as a Dagster table schema (shown in the UI)."""
    return dg.TableSchema(
        columns=[
            dg.TableColumn(name=column.name, type=column.type, description=column.description)
            for column in relation.columns
        ]
    )


def asset_spec(relation: Relation) -> dg.AssetSpec:
    """The asset spec of a catalog relation; its deps are the assets it reads."""
    metadata: dict[str, object] = {"dagster/table_name": relation.name}
    if relation.columns:
        metadata["dagster/column_schema"] = column_schema(relation)
    return dg.AssetSpec(
        relation.name,
        description=relation.description,
        group_name=relation.group,
        kinds={"clickhouse"},
        deps=list(catalog.asset_deps(relation.name)),
        metadata=metadata,
    )


def asset_specs(group: str) -> list[dg.AssetSpec]:
    """The specs of every asset of ``group``, in catalog order."""
    return [asset_spec(relation) for relation in catalog.assets(group)]
