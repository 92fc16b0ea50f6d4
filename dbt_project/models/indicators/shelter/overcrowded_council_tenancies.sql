-- SYNTHETIC council data. Share of council tenancies open in the year whose household has more people than twice the bedrooms of the home.
{%- set tenancy_rows -%}
{{ council_open_years('stg_council_tenancies') }}
{%- endset %}
{{ council_base('stg_council_tenancies', count_key='record_key', where='household_size > 2 * bedrooms', denominator_key='record_key', year_rows=tenancy_rows) }}
{{ to_all_levels('base') }}
