-- SYNTHETIC council data. Share of council tenancies open in the year whose home needed an emergency repair (a leak, a flood, no water, no power) that year.
{{ council_base('int_council_tenancy_repairs', count_key='tenancy_key', where="priority = 'emergency'", denominator_key='tenancy_key') }}
{{ to_all_levels('base') }}
