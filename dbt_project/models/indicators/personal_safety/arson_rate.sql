-- Arson and criminal damage offences recorded by the Metropolitan Police per 1,000 residents (Met category 'arson').
with base as (
    {{ crime_counts('arson') }}
)
{{ to_all_levels('base') }}
