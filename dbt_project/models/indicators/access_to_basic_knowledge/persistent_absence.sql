-- SYNTHETIC council data. Share of resident pupils who missed 10% or more of their possible sessions in the academic year.
{{ council_base('stg_council_education_pupils', count_key='resident_key', where='sessions_possible > 0 and sessions_missed / sessions_possible >= 0.1', denominator_key='resident_key', denominator_where='sessions_possible > 0') }}
{{ to_all_levels('base') }}
