-- Drug offences recorded per 1,000 residents: a proxy for drug misuse (it also reflects police activity; read with care).
with base as (
    {{ crime_counts('drugs') }}
)
{{ to_all_levels('base') }}
