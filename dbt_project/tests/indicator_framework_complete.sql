-- dbt stores the failing rows (schema dbt_test__audit) so the refresh's summary names them.
{{ config(store_failures=true) }}
-- The framework the index reads is complete: every indicator has all its metadata, index
-- indicators have usable goalposts, each component sits in its SPI dimension, and all 12
-- components have at least two index indicators (naming the indicators a source's coverage
-- left out for this borough). Returns one row per problem.
with m as (
    select * from {{ ref('indicator_metadata') }}
),
dimension_of(component, dimension) as (
    values ('Nutrition and Basic Medical Care', 'Basic Human Needs'), ('Water and Sanitation', 'Basic Human Needs'),
           ('Shelter', 'Basic Human Needs'), ('Personal Safety', 'Basic Human Needs'),
           ('Access to Basic Knowledge', 'Foundations of Wellbeing'),
           ('Access to Information and Communications', 'Foundations of Wellbeing'),
           ('Health and Wellness', 'Foundations of Wellbeing'), ('Environmental Quality', 'Foundations of Wellbeing'),
           ('Personal Rights', 'Opportunity'), ('Personal Freedom and Choice', 'Opportunity'),
           ('Inclusiveness', 'Opportunity'), ('Access to Advanced Education', 'Opportunity')
),
problems as (
    select indicator_id as item, 'missing metadata field' as problem
    from m
    where name is null or dimension is null or component is null or direction is null or unit is null
       or transform is null or worst is null or best is null or aggregation is null or personal_data is null
       or in_index is null or rationale is null or worst_best_basis is null or coalesce(sources, '') = ''
    union all
    select indicator_id, 'worst equals best' from m where in_index and worst = best
    union all
    select m.indicator_id, 'component in the wrong dimension'
    from m join dimension_of d using (component) where d.dimension <> m.dimension
    union all
    select d.component, 'fewer than 2 index indicators'
        || coalesce(' (left out for this borough: ' || (
               select string_agg(o.indicator_id || ', ' || o.coverage_note, '; ' order by o.indicator_id)
               from m o where o.component = d.component and not o.covered) || ')', '')
    from dimension_of d left join m on m.component = d.component and m.in_index
    group by d.component having count(m.indicator_id) < 2
)
select * from problems
