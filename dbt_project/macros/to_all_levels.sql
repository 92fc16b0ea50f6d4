{#
  Take an LSOA 2011 relation (lsoa11_code, year, numerator, denominator) and return the
  indicator at every level the index reports: LSOA 2011, the 17 pre-2022 wards (official
  lookup), the 19 current wards (best fit; backdated for every year) and the borough.
  Rates are recomputed from summed numerators and denominators at each level, never
  averaged; a continuous measure comes in as numerator = value x weight, denominator =
  weight, so the same sums give a weighted mean.
#}
{% macro to_all_levels(lsoa_relation, unit, multiplier=1) -%}
select * from (
    with lsoa as (
        select l.lsoa11_code, l.year::integer as year,
               l.numerator::double as numerator, l.denominator::double as denominator,
               g.ward19_code, g.ward22_code, g.lad_code
        from {{ lsoa_relation }} as l
        join {{ ref('stg_geography_lsoa11_lookup') }} as g using (lsoa11_code)
        where g.lad_code = '{{ var("borough_code") }}'
    ),
    levels as (
        select 'lsoa' as area_level, 'lsoa11' as boundary, lsoa11_code as area_code, year,
               sum(numerator) as numerator, sum(denominator) as denominator
        from lsoa group by all
        union all
        select 'ward', 'ward19', ward19_code, year, sum(numerator), sum(denominator) from lsoa group by all
        union all
        select 'ward', 'ward22', ward22_code, year, sum(numerator), sum(denominator) from lsoa group by all
        union all
        select 'borough', 'lad', lad_code, year, sum(numerator), sum(denominator) from lsoa group by all
    )
    select
        '{{ this.name }}' as indicator_id,
        area_code, area_level, boundary, year,
        numerator, denominator,
        {{ safe_rate('numerator', 'denominator', multiplier) }} as value,
        '{{ unit }}' as unit,
        year::varchar as period
    from levels
)
{%- endmacro %}

{# Every LSOA 2011 of the borough for every year in [first, last]: the spine that turns
   "no reports" into an explicit zero count. #}
{% macro lsoa11_year_spine(first_year, last_year) -%}
    (select g.lsoa11_code, y.range::integer as year
     from {{ ref('stg_geography_lsoa11_lookup') }} g
     cross join range({{ first_year }}, {{ last_year }} + 1) y)
{%- endmacro %}
