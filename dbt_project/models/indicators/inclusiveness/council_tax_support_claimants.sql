-- SYNTHETIC council data. Council tax support claims open at any time in the year, per 1,000 residents. Context: an income measure, left out of the index by design.
{%- set cts_rows -%}
{{ council_open_years('stg_council_tax_support') }}
{%- endset %}
{{ council_base('stg_council_tax_support', count_key='household_key', year_rows=cts_rows) }}
{{ to_all_levels('base') }}
