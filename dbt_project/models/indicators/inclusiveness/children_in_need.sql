-- SYNTHETIC council data. Children supported as children in need by children's social care at any time in the year, per 1,000 residents.
{%- set cpp_rows -%}
{{ council_open_years('stg_council_children_social_care') }}
{%- endset %}
{{ council_base('stg_council_children_social_care', count_key='resident_key', where="episode_type = 'CIN'", year_rows=cpp_rows) }}
{{ to_all_levels('base') }}
