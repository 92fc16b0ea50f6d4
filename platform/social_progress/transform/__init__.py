"""dbt wiring: the dbt project, its manifest and its models as Dagster assets."""
