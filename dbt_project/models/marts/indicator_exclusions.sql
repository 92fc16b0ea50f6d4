-- Every source row an indicator dropped, with the reason in quality_flag (missing_code,
-- missing_year, wrong_vintage_code, duplicate_area_year), and every reported area whose
-- value is withheld or rests on part of its sources (zero_denominator,
-- incomplete_sources). A view over the indicator models found in the dbt graph; see
-- indicator_comparators for how it stays complete.
{{ config(materialized='view') }}
{{ indicator_mart_sql('exclusions') }}
