-- Theft offences recorded by the Metropolitan Police per 1,000 residents (Met category 'theft-all').
with base as (
    {{ crime_counts('theft-all') }}
)
{{ to_all_levels('base') }}
