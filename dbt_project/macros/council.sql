{#
  Council records (SYNTHETIC stand-ins by default): staging and indicator building blocks.

  Every council staging model joins council.records (the council/records asset: Splink
  resident keys, household keys and the areas each record is counted in) on record_key;
  no identifier ever reaches dbt.
#}

{# A date as council systems export it: ISO (2019-04-01, with or without a time) or UK
   day-first (01/04/2019, with or without a time); anything else is null (and counted by
   the staging model's tests), never guessed. #}
{% macro council_date(column) -%}
    (case when regexp_matches(trim({{ column }}), '^\d{4}-\d{2}-\d{2}') then try_cast(left(trim({{ column }}), 10) as date)
          when regexp_matches(trim({{ column }}), '^\d{1,2}/\d{1,2}/\d{4}') then try_strptime(split_part(trim({{ column }}), ' ', 1), '%d/%m/%Y')::date
     end)
{%- endmacro %}

{# A flag as systems write it: 1/0, true/false, yes/no, Y/N. #}
{% macro council_flag(column) -%}
    (case when lower(trim({{ column }})) in ('1', '1.0', 'true', 't', 'yes', 'y') then true
          when lower(trim({{ column }})) in ('0', '0.0', 'false', 'f', 'no', 'n') then false end)
{%- endmacro %}

{# The placement of a record (council.records), joined on its own record_key or, for a
   record counted where another record is (a repair at its tenancy, a placement at its
   case's address), on that record's key. #}
{% macro council_place(alias, key_expr) -%}
    left join {{ source('council', 'records') }} {{ alias }} on {{ alias }}.record_key = {{ key_expr }}
{%- endmacro %}

{# Years a council indicator is built for: from the first index year to the last year the
   source has data, capped at the platform's last year. #}
{% macro council_years(relation, year_expr) -%}
    (select range::integer as year from range(
        greatest({{ var('council_first_year', 2015) }}, (select min({{ year_expr }}) from {{ relation }})),
        least({{ var('last_year') }}, (select max({{ year_expr }}) from {{ relation }})) + 1))
{%- endmacro %}

{#
  The base rows of a council indicator: per LSOA 2011 of the borough and year,
  numerator = distinct `count_key` (residents, households, records) among the rows of
  `relation` that match `where` in that year (or the sum of `sum_column`) (a stock counts each year it was open; an
  event the year it happened; see `year_rows`), and denominator = residents (mid-year
  estimates), distinct `denominator_key` among the rows of the same relation that match
  `denominator_where` (pupils on roll, tenancies), or the sum of `denominator_sum` (sessions).

  `year_rows` is a SQL select of (row columns..., year): by default the relation's own
  `year` column. Zero is a real value here, but only where the system covers the borough
  (it placed any record there that year): elsewhere, and in a London-wide run, the value is
  missing (covered_count), never zero.
#}
{% macro council_base(relation, count_key='resident_key', where='true', year_rows=none, denominator_key=none,
                      denominator_where='true', sum_column=none, denominator_sum=none) -%}
with rows_by_year as (
    {% if year_rows %}{{ year_rows }}{% else %}select * from {{ ref(relation) }}{% endif %}
),
placed as (
    select * from rows_by_year
    where in_borough and lsoa11_code is not null
      and year between {{ var('council_first_year', 2015) }} and {{ var('last_year') }}
),
counts as (
    select lsoa11_code, year,
           {% if sum_column %}sum({{ sum_column }}) filter (where {{ where }}){% else %}count(distinct {{ count_key }}) filter (where {{ where }}){% endif %}::double as n
           {% if denominator_key %}, count(distinct {{ denominator_key }}) filter (where {{ denominator_where }})::double as d
           {% elif denominator_sum %}, sum({{ denominator_sum }}) filter (where {{ denominator_where }})::double as d{% endif %}
    from placed
    group by all
),
covered as (
    select distinct g.lad_code, p.year
    from placed p join {{ ref('stg_geography_lsoa11_lookup') }} g using (lsoa11_code)
),
spine as (
    select g.lsoa11_code, g.lad_code, y.year
    from {{ ref('stg_geography_lsoa11_lookup') }} g
    cross join (select distinct year from placed) y
),
base as (
    select 'lsoa11' as source_boundary, s.lsoa11_code as source_code, s.year,
           {{ covered_count('c.n', 'cv.year is not null') }} as numerator,
           {% if denominator_key or denominator_sum %}{{ covered_count('c.d', 'cv.year is not null') }}{% else %}p.population{% endif %} as denominator
    from spine s
    left join counts c on c.lsoa11_code = s.lsoa11_code and c.year = s.year
    left join covered cv on cv.lad_code = s.lad_code and cv.year = s.year
    {% if not (denominator_key or denominator_sum) %}left join {{ ref('int_lsoa11_population') }} p on p.lsoa11_code = s.lsoa11_code and p.year = s.year{% endif %}
)
{%- endmacro %}

{# Rows of a relation with start and end dates, once for every calendar year they were open. #}
{% macro council_open_years(relation, start_column='start_date', end_column='end_date') -%}
    select r.*, y.range::integer as year
    from {{ ref(relation) }} r
    cross join range({{ var('council_first_year', 2015) }}, {{ var('last_year') }} + 1) y
    where r.{{ start_column }} is not null
      and year(r.{{ start_column }}) <= y.range
      and (r.{{ end_column }} is null or year(r.{{ end_column }}) >= y.range)
{%- endmacro %}
