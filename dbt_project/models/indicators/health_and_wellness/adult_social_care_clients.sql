-- SYNTHETIC council data. Adults receiving a long-term social care service (home care, residential or nursing care, day care, direct payment) at any time in the year, per 1,000 residents.
{%- set adult_rows -%}
{{ council_open_years('stg_council_adult_social_care') }}
{%- endset %}
{{ council_base('stg_council_adult_social_care', count_key='resident_key', year_rows=adult_rows) }}
{{ to_all_levels('base') }}
