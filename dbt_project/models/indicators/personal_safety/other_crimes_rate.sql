-- Miscellaneous crimes against society offences recorded by the Metropolitan Police per 1,000 residents (Met category 'misc').
with base as (
    {{ crime_counts('misc') }}
)
{{ to_all_levels('base') }}
