-- Residents' voice: people reporting street problems to the council through FixMyStreet
-- per 1,000 residents (unique reporters per category, summed over categories).
{{ fixmystreet_base('unique_users') }}
{{ to_all_levels('base') }}
