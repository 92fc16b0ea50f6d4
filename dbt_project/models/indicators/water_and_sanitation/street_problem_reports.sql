-- Street problems (fly-tipping, litter, dumped rubbish, blocked drains...) reported on
-- FixMyStreet per 1,000 residents, all categories.
{{ fixmystreet_base('reports') }}
{{ to_all_levels('base') }}
