-- Sexual offences recorded by the Metropolitan Police per 1,000 residents (Met category 'sexual'). The London Datastore LSOA file carries zeros for every LSOA and year (suppressed): context only.
with base as (
    {{ crime_counts('sexual') }}
)
{{ to_all_levels('base') }}
