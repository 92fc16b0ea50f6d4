-- SYNTHETIC council data. Share of council tenancies open in the year whose home had a plumbing repair (water supply, leaks, drainage) reported that year.
{{ council_base('int_council_tenancy_repairs', count_key='tenancy_key', where="category = 'plumbing'", denominator_key='tenancy_key') }}
{{ to_all_levels('base') }}
