-- SYNTHETIC council data. Adults receiving home care or a direct payment for their care at any time in the year, per 1,000 residents.
{%- set adult_rows -%}
{{ council_open_years('stg_council_adult_social_care') }}
{%- endset %}
{{ council_base('stg_council_adult_social_care', count_key='resident_key', where="service_type in ('home_care', 'direct_payment')", year_rows=adult_rows) }}
{{ to_all_levels('base') }}
