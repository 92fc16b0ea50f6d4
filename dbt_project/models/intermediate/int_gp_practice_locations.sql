-- GP practices placed at their postcode's Code-Point centroid (EPSG:27700), with the dates
-- they opened and closed: the input of every indicator of access to a GP.
select p.org_code, p.open_date, p.close_date, pc.easting, pc.northing
from {{ ref('stg_gp_practices') }} p
join {{ ref('stg_postcodes') }} pc using (postcode_key)
where p.is_gp_practice
