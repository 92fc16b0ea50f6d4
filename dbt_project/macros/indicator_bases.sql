{#
  Building blocks for an indicator's `base` CTE: each returns rows of
      source_boundary, source_code, year, numerator, denominator
  on the source's own geography, the one shape to_all_levels('base') takes.
  Several can be stacked with `union all` (e.g. IoD 2019 on LSOA 2011 and IoD 2025 on
  LSOA 2021 in one series).

  Residents come from int_lsoa11_population (mid-year estimates, nearest year) for LSOA
  2011 sources and int_lsoa21_population (Census 2021) for LSOA 2021 sources. Joins are
  left joins: a source row whose area has no residents keeps a null denominator and is
  reported with quality_flag 'zero_denominator' rather than silently dropped.
#}

{% macro population_relation(boundary) -%}
    {%- if boundary == 'lsoa11' -%}{{ ref('int_lsoa11_population') }}
    {%- elif boundary == 'lsoa21' -%}{{ ref('int_lsoa21_population') }}
    {%- else -%}{{ exceptions.raise_compiler_error("no resident population for boundary " ~ boundary) }}
    {%- endif -%}
{%- endmacro %}

{% macro _population_join(boundary, year_expr='s.year') -%}
    left join {{ population_relation(boundary) }} p
           on p.{{ boundary }}_code = s.{{ boundary }}_code
          {%- if boundary == 'lsoa11' %} and p.year = try_cast({{ year_expr }} as integer){% endif %}
{%- endmacro %}

{# A continuous measure (distance, concentration, score, share of an unknown base) as a
   resident-weighted mean: numerator = value x residents, denominator = residents. #}
{% macro resident_weighted(relation, value_expr, boundary='lsoa11', where=none, year=none) -%}
    {%- set y = _base_year(relation, value_expr, year) %}
    select '{{ boundary }}' as source_boundary, s.{{ boundary }}_code as source_code,
           {{ y }} as year,
           ({{ value_expr }}) * p.population as numerator, p.population as denominator
    from {{ ref(relation) }} s
    {{ _population_join(boundary, y) }}
    {% if where %}where {{ where }}{% endif %}
{%- endmacro %}

{# A count per resident: numerator = the count, denominator = residents (per_1000 etc. is
   the multiplier given to to_all_levels). #}
{% macro per_resident(relation, count_expr, boundary='lsoa11', where=none) -%}
    {%- set y = _base_year(relation, count_expr, none) %}
    select '{{ boundary }}' as source_boundary, s.{{ boundary }}_code as source_code, {{ y }} as year,
           ({{ count_expr }})::double as numerator, p.population as denominator
    from {{ ref(relation) }} s
    {{ _population_join(boundary, y) }}
    {% if where %}where {{ where }}{% endif %}
{%- endmacro %}

{# Recorded crime of one Metropolitan Police category (stg_crime), per resident. #}
{% macro crime_counts(category) -%}
    {{ per_resident('stg_crime', 'offences', where="s.category = '" ~ category ~ "'") }}
{%- endmacro %}

{# Share of residents living in an LSOA among the 20% most deprived in England on an IoD
   domain (decile 1 or 2): ranks do not add up, residents do. #}
{% macro deprived_share(relation, decile_column, boundary='lsoa11', deciles=2) -%}
    {%- set y = _base_year(relation, decile_column, none) %}
    select '{{ boundary }}' as source_boundary, s.{{ boundary }}_code as source_code, {{ y }} as year,
           case when s.{{ decile_column }} is null then null
                when s.{{ decile_column }} <= {{ deciles }} then p.population else 0 end as numerator,
           p.population as denominator
    from {{ ref(relation) }} s
    {{ _population_join(boundary, y) }}
{%- endmacro %}

{# For each key and target year, the row of `relation` whose year is nearest (ties: the
   later one), e.g. the mid-year estimate used for a year without its own estimate. #}
{% macro nearest_year(relation, key, year_column, first_year, last_year) -%}
    select y.range::integer as year, r.*
    from range({{ first_year }}, {{ last_year }} + 1) y
    cross join {{ relation }} r
    qualify row_number() over (partition by y.range, r.{{ key }}
                               order by abs(y.range - r.{{ year_column }}), r.{{ year_column }} desc) = 1
{%- endmacro %}

{# The latest row of `relation` per key on or before `as_of` (a year), e.g. the last
   rating of a food business or the last estimate published by a given year. #}
{% macro latest_available(relation, key, year_column, as_of) -%}
    select * from {{ relation }}
    where {{ year_column }} <= {{ as_of }}
    qualify row_number() over (partition by {{ key }} order by {{ year_column }} desc) = 1
{%- endmacro %}

{#
  FixMyStreet counts (reports, or unique reporters) per LSOA 2011 and year over residents,
  from the first_year var to the last year the FixMyStreet data has (2019 in the bundled
  file). An LSOA with no report has a zero (the spine); a report row without a year or
  with an unknown LSOA is kept as its own row, so to_all_levels lists it in the exclusions
  instead of the spine join dropping it silently. Defines the CTE `base`.
#}
{#
  A count that is an explicit zero only where its source covers the area: `count_expr`
  (null where the source has no record for the area) is kept where it has a value, becomes
  0 when `covered_expr` holds and stays null (missing, never a perfect or worst score) when
  it does not. A source
  covers a borough in a year when it has at least one record placed in that borough then
  (per borough, so a London-wide run never reads one borough's extract as zeros elsewhere).
#}
{% macro covered_count(count_expr, covered_expr) -%}
    coalesce({{ count_expr }}, case when {{ covered_expr }} then 0 end)
{%- endmacro %}

{% macro fixmystreet_base(count_column) -%}
with counts as (
    select lsoa11_code, year, sum({{ count_column }}) as n
    from {{ ref('stg_fixmystreet') }}
    where year is null or year >= {{ var('first_year') }}
    group by all
),
spine as (
    select * from {{ lsoa11_year_spine(var('first_year'), "(select max(year) from " ~ ref('stg_fixmystreet') ~ ")") }}
),
-- the boroughs and years the reports cover (any report placed in the borough that year)
covered as (
    select distinct g.lad_code, c.year from counts c join {{ ref('stg_geography_lsoa11_lookup') }} g using (lsoa11_code)
),
base as (
    select 'lsoa11' as source_boundary, coalesce(s.lsoa11_code, c.lsoa11_code) as source_code, coalesce(s.year, c.year) as year,
           {{ covered_count('c.n', 'cv.year is not null') }} as numerator, p.population as denominator
    from spine s
    full outer join counts c on c.lsoa11_code = s.lsoa11_code and c.year = s.year
    left join {{ ref('stg_geography_lsoa11_lookup') }} sg on sg.lsoa11_code = s.lsoa11_code
    left join covered cv on cv.year = coalesce(s.year, c.year) and cv.lad_code = sg.lad_code
    left join {{ ref('int_lsoa11_population') }} p
           on p.lsoa11_code = coalesce(s.lsoa11_code, c.lsoa11_code) and p.year = coalesce(s.year, c.year)
)
{%- endmacro %}

{#
  A GLA ward-profile measure, published for the pre-2022 wards only. Each LSOA 2011 of the
  borough takes the value of its ward (LSOAs nest in the 2019 wards), weighted by its
  residents, so the pre-2022 wards get their published value back and the current wards,
  LSOA 2021 and the borough a resident-weighted mean. quality_flag cannot tell an LSOA
  value is its ward's: read LSOA rows of these indicators as ward values.
  `value_expr` is a column of stg_ward_profiles (or an expression over its columns).
  Defines the CTE `base`.
#}
{% macro ward_profile_base(value_expr, year) -%}
with base as (
    select 'lsoa11' as source_boundary, g.lsoa11_code as source_code, {{ year }} as year, w.{{ value_expr }} * p.population as numerator, p.population as denominator
    from {{ ref('stg_geography_lsoa11_lookup') }} g
    join {{ ref('stg_ward_profiles') }} w on w.ward14_code = g.ward19_code
    left join {{ ref('int_lsoa11_population') }} p on p.lsoa11_code = g.lsoa11_code and p.year = {{ year }}
)
{%- endmacro %}

{# A share of a count over LSOA 2021 rows (Census 2021 tables, one row per LSOA and
   category): numerator = the count where `condition` holds, denominator = all of it. #}
{% macro lsoa21_count_share(relation, condition, count='households') -%}
    select 'lsoa21' as source_boundary, lsoa21_code as source_code, year,
           sum(case when {{ condition }} then {{ count }} else 0 end) as numerator,
           sum({{ count }}) as denominator
    from {{ ref(relation) }}
    group by all
{%- endmacro %}
