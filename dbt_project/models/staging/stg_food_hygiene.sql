-- Ratings 0-5 are numeric; "Exempt" and "AwaitingInspection" are kept as null scores.
select "FHRSID" as fhrs_id, "BusinessName" as business_name,
       "PostCode" as postcode, upper(replace("PostCode", ' ', '')) as postcode_key,
       "RatingValue" as rating_value, try_cast("RatingValue" as integer) as rating,
       try_cast("RatingDate" as date) as rating_date,
       try_cast("Longitude" as double) as longitude, try_cast("Latitude" as double) as latitude
from {{ source('raw', 'food_hygiene') }}
