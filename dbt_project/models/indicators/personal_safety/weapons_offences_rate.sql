-- Possession of weapons offences offences recorded by the Metropolitan Police per 1,000 residents (Met category 'weapons').
with base as (
    {{ crime_counts('weapons') }}
)
{{ to_all_levels('base') }}
