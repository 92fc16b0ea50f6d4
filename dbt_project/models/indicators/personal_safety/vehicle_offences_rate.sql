-- Vehicle offences offences recorded by the Metropolitan Police per 1,000 residents (Met category 'vehicle-offences').
with base as (
    {{ crime_counts('vehicle-offences') }}
)
{{ to_all_levels('base') }}
