-- SYNTHETIC council data. Share of council tenancies open in the year whose home had a damp or mould repair reported that year.
{{ council_base('int_council_tenancy_repairs', count_key='tenancy_key', where="category = 'damp_mould'", denominator_key='tenancy_key') }}
{{ to_all_levels('base') }}
