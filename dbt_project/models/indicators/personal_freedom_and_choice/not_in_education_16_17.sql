-- SYNTHETIC council data. Share of resident 16 and 17 year olds known to be not in education, employment or training, or whose activity is not known.
{{ council_base('stg_council_education_pupils', count_key='resident_key', where="activity_16_17 in ('neet', 'not_known')", denominator_key='resident_key', denominator_where='activity_16_17 is not null') }}
{{ to_all_levels('base') }}
