-- Robbery offences recorded by the Metropolitan Police per 1,000 residents (Met category 'robbery').
with base as (
    {{ crime_counts('robbery') }}
)
{{ to_all_levels('base') }}
