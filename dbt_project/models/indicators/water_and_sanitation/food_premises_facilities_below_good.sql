-- Share of inspected food businesses whose facilities (cleanliness and condition of the building, layout, ventilation, hand washing, pest control: the FSA's structural score) are below good, ratings in force in the London extract.
-- The FSA scores each premises' structural compliance 0 (very good), 5 (good), 10 (generally
-- satisfactory), 15 (improvement necessary), 20 or 25 (major or urgent improvement): 10 or
-- more is below good. Businesses without a score (exempt, awaiting inspection) are not in
-- the denominator. An LSOA with no inspected business has no value (zero_denominator), never
-- a zero. The year is the year of the latest rating the extract holds, read from the data.
with ratings as (
    select * from {{ ref('stg_food_hygiene_located') }}
    where structural_score is not null
),
extract_year as (
    select year(max(rating_date))::integer as year from ratings
),
counts as (
    select lsoa11_code, count(*) filter (where structural_score >= 10) as below_good, count(*) as scored
    from ratings
    group by all
),
base as (
    select 'lsoa11' as source_boundary, g.lsoa11_code as source_code, y.year,
           c.below_good::double as numerator, c.scored::double as denominator
    from {{ ref('stg_geography_lsoa11_lookup') }} g
    cross join extract_year y
    left join counts c using (lsoa11_code)
    union all
    select 'lsoa11', null, y.year, below_good, scored from counts cross join extract_year y where lsoa11_code is null
)
{{ to_all_levels('base') }}
