{#
  The year the data of an English Indices of Deprivation measure describe, not the year the
  edition was published: an index year must compare like with like, and an edition's data
  are three to five years older than its title.

  Editions are dated by the time point the Ministry states for most of their data, a
  financial year Y/Y+1 being dated Y:
    IoD 2015  most data 2012/13                          -> 2012
    IoD 2019  most data 2015/16                          -> 2015
    IoD 2025  most data 2021/22                          -> 2021
  and a measure whose data are known to describe another year is dated by it:
    IoD 2019  adult skills and English, household overcrowding, houses without central
              heating: Census 2011                       -> 2011
    IoD 2019  air quality: modelled concentrations 2016  -> 2016
  (IoD 2025's Census measures describe 2021, its edition year.) The README's indicator
  table lists the year each indicator's IoD values carry. Used by resident_weighted,
  per_resident and deprived_share for every stg_imd* relation.
#}
{% macro iod_reference_year(relation, measure) -%}
    {%- set editions = {'stg_imd2015': 2012, 'stg_imd2019': 2015, 'stg_imd2019_indicators': 2015,
                        'stg_imd2025': 2021, 'stg_imd2025_indicators': 2021} -%}
    {%- set measures = {
        'stg_imd2019_indicators': {
            'adult_skills_and_english_language_proficiency_indicator': 2011,
            'household_overcrowding_indicator': 2011,
            'houses_without_central_heating_indicator': 2011,
            'air_quality_indicator': 2016}} -%}
    {%- if relation not in editions -%}
        {{ exceptions.raise_compiler_error("iod_reference_year: " ~ relation ~ " is not an IoD relation") }}
    {%- endif -%}
    {%- set column = (measure | string).split('.')[-1] | trim -%}
    {{- measures.get(relation, {}).get(column, editions[relation]) -}}
{%- endmacro %}

{# The year expression of a building block: the given one, the IoD reference year of an
   IoD relation, else the relation's own `year` column. #}
{% macro _base_year(relation, measure, year) -%}
    {%- if year is not none -%}{{ year }}
    {%- elif relation.startswith('stg_imd') -%}{{ iod_reference_year(relation, measure) }}
    {%- else -%}s.year{%- endif -%}
{%- endmacro %}
