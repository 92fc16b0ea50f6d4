-- Burglary offences recorded by the Metropolitan Police per 1,000 residents (Met category 'burglary').
with base as (
    {{ crime_counts('burglary') }}
)
{{ to_all_levels('base') }}
