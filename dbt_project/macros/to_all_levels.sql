{#
  to_all_levels(base)

  Turns one indicator's source rows into every row the platform reports:

    area rows        LSOA 2011, LSOA 2021, the 17 pre-2022 wards (ward19), the 19 current
                     wards (ward22) and the borough (lad), for every year of the source;
    comparator rows  area_level = boundary = 'comparator': every London borough (the
                     neighbours of the `comparators` var among them; int_comparator_areas
                     says which is which) and London (E12000007), from the same London-wide
                     source rows
                     (only when the YAML does not say `comparators: false`);
    excluded rows    area_level = boundary = 'excluded': source rows that were dropped, with
                     the reason in `quality_flag` (missing_code, missing_year,
                     wrong_vintage_code, duplicate_area_year). value is null.

  The indicators folder's post-hook (split_indicator_rows) then moves the comparator rows
  to `<model>__comparators` and the excluded rows to `<model>__exclusions`, so the
  indicator table itself holds area rows only (what marts.indicator_values stacks and the
  index scores); the platform stacks the companion tables into the comparator and
  exclusion marts.

  `base` is a relation or CTE name with one shape for every indicator:
      source_boundary ('lsoa11' | 'lsoa21'), source_code, year, numerator, denominator
  (the building blocks in indicator_bases.sql return exactly that; several can be stacked
  with `union all`, e.g. IoD 2019 on LSOA 2011 and IoD 2025 on LSOA 2021).

  Everything else comes from the model's YAML, `meta.indicator` (indicator_settings):
    unit          the unit column;
    multiplier    value = multiplier x numerator / denominator (1000 for a rate per 1,000);
    aggregation   rate | share | mean_population_weighted: summed numerators over summed
                  denominators; sum: a count (value = numerator, denominator null);
    base_boundary the boundaries `base` is on (lsoa11, lsoa21 or both): a source row on any
                  other boundary is excluded as wrong_vintage_code;
    period        the period label (default: the year);
    comparators   false for sources cut to the borough.

  Source rows reach each reporting area through the geography engine's bridges
  (int_area_bridges: official lookups where areas nest, apportionment by residents'
  postcode centroids where they do not): numerators and denominators are multiplied by
  the bridge weight and summed, and the value is recomputed from the sums at every level
  (never an average of rates). A continuous measure (a distance, a concentration, an IoD
  score) comes in as numerator = value x residents, denominator = residents, so the same
  sums give the resident-weighted mean.

  quality_flag on area rows: null when clean; 'zero_denominator' (denominator and value
  null, not zero and infinity); 'incomplete_sources' (some source areas feeding the area had no usable row
  that year, so the value rests on part of the area); 'not_covered' (no value: the area is
  in a borough a source of the indicator does not cover, in a London-wide run).
#}
{% macro to_all_levels(base) -%}
{%- set ind = indicator_settings(indicator_meta_all()) -%}
{%- set unit = ind.unit | replace("'", "''") -%}
{%- set multiplier = ind.multiplier -%}
{%- set aggregation = ind.rule -%}
{%- set period = ind.period_sql -%}
{%- set comparators_on = ind.comparators -%}
select * from (
    with src as (
        select
            source_boundary::varchar as source_boundary, source_code::varchar as source_code,
            try_cast(year as integer) as year,
            numerator::double as numerator,
            {% if aggregation == 'sum' %}null::double{% else %}denominator::double{% endif %} as denominator
        from {{ base }}
    ),
    checked as (
        select s.*, v.lad_code,
               count(*) over w as copies,
               (min(s.numerator) over w is distinct from max(s.numerator) over w)
                 or (min(s.denominator) over w is distinct from max(s.denominator) over w) as conflicting,
               row_number() over (partition by s.source_boundary, s.source_code, s.year
                                  order by s.numerator, s.denominator) as copy_no
        from src s
        left join {{ ref('int_london_areas') }} v
               on v.boundary = s.source_boundary and v.area_code = s.source_code
        window w as (partition by s.source_boundary, s.source_code, s.year)
    ),
    flagged as (
        select *,
               case when source_code is null or trim(source_code) = '' then 'missing_code'
                    when year is null then 'missing_year'
                    when lad_code is null or source_boundary not in ({% for b in ind.base_boundary %}'{{ b }}'{{ ', ' if not loop.last }}{% endfor %}) then 'wrong_vintage_code'
                    when copies > 1 and (conflicting or copy_no > 1) then 'duplicate_area_year'
               end as exclusion_reason
        from checked
    ),
    clean as (
        -- `usable`: the row can enter a sum. A row without a denominator (e.g. an LSOA
        -- missing from the population estimates) must not add its numerator alone, nor a
        -- row without a numerator (a value the publisher withheld) its denominator alone:
        -- its own area is reported with quality_flag zero_denominator, its parents as
        -- incomplete.
        select *, {% if aggregation == 'sum' %}numerator is not null{% else %}(denominator > 0 and numerator is not null) is true{% endif %} as usable
        from flagged where exclusion_reason is null
    ),
    -- the borough: every reporting area of every boundary, through the bridges
    received as (
        select b.area_level, b.boundary, b.area_code, c.year, c.source_boundary,
               sum(c.numerator * b.weight) filter (where c.usable) as numerator,
               sum(c.denominator * b.weight) filter (where c.usable) as denominator,
               coalesce(sum(b.weight) filter (where c.usable), 0) as weight_received
        from clean c
        join {{ ref('int_area_bridges') }} b
          on b.source_boundary = c.source_boundary and b.source_code = c.source_code
        where c.lad_code in ({{ deployed_boroughs_sql() }})
        group by all
    ),
    expected as (
        select source_boundary, boundary, area_code, sum(weight) as weight_expected
        from {{ ref('int_area_bridges') }}
        group by all
    ),
    areas as (
        select r.area_level, r.boundary, r.area_code, r.year, r.numerator, r.denominator,
               case when r.weight_received < e.weight_expected - 1e-9 then 'incomplete_sources' end as coverage_flag
        from received r
        left join expected e using (source_boundary, boundary, area_code)
    ),
    {%- set gap_boroughs = not_covered_boroughs(indicator_meta_all().get('sources') or []) %}
    -- areas of the deployment's boroughs that a source of the indicator does not cover (a
    -- London-wide run; catalogue `coverage`): a row per area and year with no value,
    -- flagged not_covered, so the gap is reported and never read as a zero
    gaps as (
        select ga.area_level, ga.boundary, ga.area_code, y.year, null::double as numerator,
               null::double as denominator, 'not_covered' as coverage_flag
        from {{ ref('stg_geography_areas') }} ga
        cross join (select distinct year from areas) y
        where ga.lad_code in ({% for c in gap_boroughs %}'{{ c }}'{{ ", " if not loop.last }}{% endfor %}{% if not gap_boroughs %}null{% endif %})
          and not exists (select 1 from areas r where r.boundary = ga.boundary and r.area_code = ga.area_code and r.year = y.year)
    ),
    comparators as (
        {%- if comparators_on %}
        -- every other London borough (the `comparators` var's neighbours among them): one
        -- group-by over rows already read, so the borough can be ranked among the 33
        select 'comparator' as area_level, 'comparator' as boundary, lad_code as area_code, year,
               sum(numerator) filter (where usable) as numerator, sum(denominator) filter (where usable) as denominator,
               null as coverage_flag
        from clean
        where lad_code like 'E09%' and lad_code not in ({{ deployed_boroughs_sql() }})
        group by all
        union all
        select 'comparator', 'comparator', '{{ var("region_code") }}', year,
               sum(numerator) filter (where usable), sum(denominator) filter (where usable), null
        from clean
        group by all
        {%- else %}
        select null::varchar as area_level, null::varchar as boundary, null::varchar as area_code, null::integer as year,
               null::double as numerator, null::double as denominator, null::varchar as coverage_flag
        where false
        {%- endif %}
    ),
    {%- if var('goalpost_rows', false) %}
    -- goalpost helper (dbt --vars '{goalpost_rows: true}'): every London source area, so
    -- London percentiles of the raw value can be read off for worst/best values
    london as (
        select 'london_' || source_boundary as area_level, 'london_' || source_boundary as boundary,
               source_code as area_code, year, sum(numerator) as numerator, sum(denominator) as denominator,
               null as coverage_flag
        from clean group by all
    ),
    {%- endif %}
    reported as (
        select * from areas
        union all select * from gaps
        union all select * from comparators
        {%- if var('goalpost_rows', false) %}
        union all select * from london
        {%- endif %}
    )
    select
        '{{ this.name }}' as indicator_id,
        area_code, area_level, boundary, year::integer as year,
        numerator,
        nullif(denominator, 0) as denominator,
        {% if aggregation == 'sum' -%}
        numerator
        {%- else -%}
        {{ safe_rate('numerator', 'denominator', multiplier) }}
        {%- endif %} as value,
        '{{ unit }}' as unit,
        {% if period %}{{ period }}{% else %}year::varchar{% endif %} as period,
        case when coverage_flag = 'not_covered' then coverage_flag
             when {% if aggregation == 'sum' %}false{% else %}denominator is null or denominator = 0{% endif %} then 'zero_denominator'
             else coverage_flag end as quality_flag
    from reported
    union all
    select '{{ this.name }}', coalesce(nullif(trim(source_code), ''), '(missing)'), 'excluded', 'excluded', year,
           numerator, denominator, null::double, '{{ unit }}',
           {% if period %}{{ period }}{% else %}year::varchar{% endif %}, exclusion_reason
    from flagged
    where exclusion_reason is not null
)
{%- endmacro %}

{# The comparator boroughs from the `comparators` var: a YAML/JSON list of E09 codes or a
   comma-separated string. #}
{% macro comparator_codes() -%}
    {%- set raw = var('comparators', []) -%}
    {%- if raw is string -%}{%- set raw = raw.split(',') -%}{%- endif -%}
    {%- set out = [] -%}
    {%- for c in raw -%}{%- if c | string | trim -%}{%- do out.append(c | string | trim) -%}{%- endif -%}{%- endfor -%}
    {{ return(out) }}
{%- endmacro %}

{# The current model's `meta.indicator` YAML (the single source of truth). dbt renders a
   unit test without the model's YAML and without the graph: a unit test states the meta
   its expected rows assume with `overrides: macros: {indicator_meta_all: {...}}`. #}
{% macro indicator_meta_all() -%}
    {%- set meta = config.get('meta') or {} -%}
    {{ return(meta.get('indicator') or {}) }}
{%- endmacro %}

{# One field of it. #}
{% macro indicator_meta(key, default=none) -%}
    {{ return(indicator_meta_all().get(key, default)) }}
{%- endmacro %}

{# Every LSOA 2011 of the borough for every year in [first, last] (numbers or SQL scalar
   expressions, e.g. the last year a source has): the spine that turns "no reports" into
   an explicit zero count. #}
{% macro lsoa11_year_spine(first_year, last_year) -%}
    (select g.lsoa11_code, y.range::integer as year
     from {{ ref('stg_geography_lsoa11_lookup') }} g
     cross join range({{ first_year }}, {{ last_year }} + 1) y)
{%- endmacro %}

{# The rows of `published` (a CTE of LSOA 2011 base rows: source_boundary, source_code, year,
   numerator, denominator) plus, for every LSOA of the borough and year of `source` that it
   lacks, a row with no values: a real gap (no meters published) stays missing, never zero. #}
{% macro with_lsoa11_gaps(published, source) -%}
    select * from {{ published }}
    union all
    select 'lsoa11', s.lsoa11_code, s.year, null, null
    from {{ lsoa11_year_spine("(select min(year) from " ~ source ~ ")", "(select max(year) from " ~ source ~ ")") }} s
    where not exists (select 1 from {{ published }} p where p.source_code = s.lsoa11_code and p.year = s.year)
{%- endmacro %}

{# Post-hook of every model under models/indicators/ (dbt_project.yml): the comparator and
   excluded rows to_all_levels produced leave the indicator table for two companion tables,
   <model>__comparators and <model>__exclusions, in the same schema. #}
{% macro split_indicator_rows() -%}
    {%- set outside = "area_level in ('comparator', 'excluded') or area_level like 'london_%'" -%}
    {%- if var('goalpost_rows', false) -%}{%- set outside = "area_level in ('comparator', 'excluded')" -%}{%- endif -%}
    create or replace table {{ this.schema }}."{{ this.identifier }}__comparators" as
        select * from {{ this }} where area_level = 'comparator' order by area_code, year;
    create or replace table {{ this.schema }}."{{ this.identifier }}__exclusions" as
        select * from {{ this }} where area_level = 'excluded' order by area_code, year;
    delete from {{ this }} where {{ outside }}
{%- endmacro %}

{# The boroughs whose areas are reported, as a SQL list: the deployed borough, or every
   London borough in a London-wide run (var `boroughs`). #}
{% macro deployed_boroughs_sql() -%}
    {%- set codes = var('boroughs', [var('borough_code')]) -%}
    {%- if codes is string %}{% set codes = codes.split(',') %}{% endif -%}
    {%- for c in codes %}'{{ c | trim }}'{{ ", " if not loop.last }}{% endfor -%}
{%- endmacro %}

{# The deployment's boroughs that some of `sources` (catalogue ids) do not cover: var
   `not_covered` ({source: [E09 codes]}), passed by the platform in a London-wide run. #}
{% macro not_covered_boroughs(sources) -%}
    {%- set table = var('not_covered', {}) -%}
    {%- set out = [] -%}
    {%- for s in sources -%}{%- for c in table.get(s, []) -%}{%- if c not in out -%}{%- do out.append(c) -%}{%- endif -%}{%- endfor -%}{%- endfor -%}
    {{ return(out | sort) }}
{%- endmacro %}
