-- SYNTHETIC council data. Responsive repairs reported in the year per council tenancy open that year.
{{ council_base('int_council_tenancy_repairs', count_key='repair_key', denominator_key='tenancy_key') }}
{{ to_all_levels('base') }}
