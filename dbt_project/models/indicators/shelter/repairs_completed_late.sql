-- SYNTHETIC council data. Share of repairs reported in the year that were completed after their target time or not completed.
{{ council_base('stg_council_repairs', count_key='record_key', where="completed_date is null or date_diff('day', reported_date, completed_date) > target_days", denominator_key='record_key') }}
{{ to_all_levels('base') }}
