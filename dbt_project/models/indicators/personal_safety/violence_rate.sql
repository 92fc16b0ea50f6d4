-- Violence against the person offences recorded by the Metropolitan Police per 1,000 residents (Met category 'violence').
with base as (
    {{ crime_counts('violence') }}
)
{{ to_all_levels('base') }}
