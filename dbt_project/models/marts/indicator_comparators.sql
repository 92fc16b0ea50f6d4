-- How the borough compares: every indicator for each comparator borough (var `comparators`)
-- and London (E12000007), from the comparator rows each indicator model produces with
-- the same macro and the same sums as the borough's own rows (area_level 'comparator').
-- Indicators whose source covers the borough only say `comparators: false` in their YAML
-- and have no rows here.
--
-- The indicator models are found in the dbt graph (indicator_nodes), so there is no list
-- to keep in sync. dbt cannot ref models discovered from the graph, so this is a view
-- over the indicator tables (always current), and the project's on-run-end hook
-- (refresh_indicator_marts) recreates it after every run, so an indicator added or
-- built in the same run is included whatever order dbt chose.
{{ config(materialized='view') }}
{{ indicator_mart_sql('comparators') }}
