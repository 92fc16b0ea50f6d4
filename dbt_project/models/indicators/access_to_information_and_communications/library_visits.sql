-- SYNTHETIC council data. Visits to the borough libraries by their members who live there, in the year, per resident.
{{ council_base('stg_council_library_activity', sum_column='visits') }}
{{ to_all_levels('base') }}
