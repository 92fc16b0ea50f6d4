-- SYNTHETIC council data. Share of council tenancies open in the year whose home had a plumbing repair (water supply, leaks, drainage) reported that year.
{%- set damp_rows -%}
-- every council tenancy open in the year, with the repairs reported for it that year
select t.record_key as tenancy_key, t.lsoa11_code, t.in_borough, t.year, r.record_key as repair_key, r.category
from ({{ council_open_years('stg_council_tenancies') }}) t
left join {{ ref('stg_council_repairs') }} r on r.tenancy_key = t.record_key and r.year = t.year
{%- endset %}
{{ council_base('stg_council_repairs', count_key='tenancy_key', where="category = 'plumbing'", denominator_key='tenancy_key', year_rows=damp_rows) }}
{{ to_all_levels('base') }}
