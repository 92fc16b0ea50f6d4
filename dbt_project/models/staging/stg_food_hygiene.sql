-- Ratings 0-5 are numeric; "Exempt" and "AwaitingInspection" are kept as null scores.
select "FHRSID" as fhrs_id, "BusinessName" as business_name,
       "PostCode" as postcode, upper(replace("PostCode", ' ', '')) as postcode_key,
       "RatingValue" as rating_value, try_cast("RatingValue" as integer) as rating,
       try_cast("RatingDate" as date) as rating_date,
       -- the structural sub-score (0 very good ... 25 urgent improvement), blank when not inspected
       try_cast("Structural" as integer) as structural_score,
       try_cast("Longitude" as double) as longitude, try_cast("Latitude" as double) as latitude
from {{ source('raw', 'food_hygiene') }}
