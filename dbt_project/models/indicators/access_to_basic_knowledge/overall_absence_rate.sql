-- SYNTHETIC council data. Share of possible school sessions that resident pupils missed in the academic year (authorised or not).
{{ council_base('stg_council_education_pupils', sum_column='sessions_missed', denominator_sum='sessions_possible') }}
{{ to_all_levels('base') }}
