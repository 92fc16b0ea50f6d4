-- Bicycle thefts recorded by the Metropolitan Police per 1,000 residents.
with base as (
    {{ crime_counts('theft-bicycle') }}
)
{{ to_all_levels('base') }}
