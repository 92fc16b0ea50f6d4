-- SYNTHETIC council data. Items borrowed from the borough libraries by its residents in the year, per resident.
{{ council_base('stg_council_library_activity', sum_column='loans') }}
{{ to_all_levels('base') }}
