-- Usual residents of each London LSOA 2021 (Census 2021): the weight of resident-weighted
-- means for sources published on LSOA 2021 (IoD 2025, Census 2021).
select lsoa21_code, sum(usual_residents)::double as population, 2021 as population_year
from {{ ref('stg_census_population') }}
group by all
