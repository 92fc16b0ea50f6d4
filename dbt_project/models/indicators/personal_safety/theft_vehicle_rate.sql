-- Theft from and of vehicles (minor category) offences recorded by the Metropolitan Police per 1,000 residents (Met category 'theft-vehicle').
with base as (
    {{ crime_counts('theft-vehicle') }}
)
{{ to_all_levels('base') }}
