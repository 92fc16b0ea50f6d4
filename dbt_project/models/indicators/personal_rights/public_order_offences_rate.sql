-- Public order offences (harassment, causing fear, alarm or distress, racially or religiously aggravated offences) recorded by the Metropolitan Police per 1,000 residents.
with base as (
    {{ crime_counts('public-order') }}
)
{{ to_all_levels('base') }}
