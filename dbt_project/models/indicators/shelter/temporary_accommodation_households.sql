-- SYNTHETIC council data. Households placed in temporary accommodation at any time in the year, counted at their last settled address, per 1,000 residents.
{%- set ta_rows -%}
{{ council_open_years('stg_council_temporary_accommodation') }}
{%- endset %}
{{ council_base('stg_council_temporary_accommodation', count_key='household_key', year_rows=ta_rows) }}
{{ to_all_levels('base') }}
