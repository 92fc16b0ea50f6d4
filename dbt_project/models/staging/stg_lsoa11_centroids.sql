-- ONS population-weighted centroid of each London LSOA 2011, British National Grid (EPSG:27700, metres).
select trim(lsoa11cd) as lsoa11_code, try_cast(easting as double) as easting, try_cast(northing as double) as northing
from {{ source('raw', 'lsoa11_centroids') }}
