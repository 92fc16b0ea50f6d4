-- SYNTHETIC council data. Mean days from a repair being reported to its completion, repairs completed and reported in the year.
{{ council_base('stg_council_repairs', sum_column="date_diff('day', reported_date, completed_date)", where='completed_date is not null', denominator_key='record_key', denominator_where='completed_date is not null') }}
{{ to_all_levels('base') }}
