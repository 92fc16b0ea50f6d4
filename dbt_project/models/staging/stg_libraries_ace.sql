-- Arts Council England: the open static statutory public libraries of December 2022.
select "Local authority" as authority_name, "Library name" as library_name,
       "Local authority" || ': ' || "Library name" as library_id,
       "Postcode" as postcode, upper(replace("Postcode", ' ', '')) as postcode_key
from {{ source('raw', 'libraries_ace') }}
