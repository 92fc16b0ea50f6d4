-- All notifiable offences recorded by the Metropolitan Police per 1,000 residents: the major categories summed (theft-all already contains the minor theft categories, which are not added again).
-- One row per LSOA and year: the major categories summed first (to_all_levels expects one
-- row per area and year and would flag the categories as duplicates).
with offences as (
    select lsoa11_code, year, sum(offences) as offences
    from {{ ref('stg_crime') }}
    where category_group = 'major'
    group by all
),
base as (
    select 'lsoa11' as source_boundary, o.lsoa11_code as source_code, o.year, o.offences as numerator, p.population as denominator
    from offences o
    left join {{ ref('int_lsoa11_population') }} p using (lsoa11_code, year)
)
{{ to_all_levels('base') }}
