"""The exact tables and columns of the eight synthetic council systems.

Why: catalogue queries and dbt models are written against these names, so they are
declared once, here, with the types the database writers use (DATE for dates,
TIMESTAMP/DATETIME for `updated_at`, INTEGER, NUMERIC, VARCHAR) and the column order of
the file exports.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    type: str            # str | int | date | datetime | numeric
    length: int = 0      # VARCHAR length
    pk: bool = False
    nullable: bool = True


def _c(name: str, type_: str = "str", length: int = 0, pk: bool = False, nullable: bool = True) -> Column:
    if type_ == "str" and not length:
        length = 120
    return Column(name, type_, length, pk, nullable and not pk)


_PERSON = [
    _c("person_ref", length=16), _c("first_name", length=80), _c("surname", length=80),
    _c("date_of_birth", "date"), _c("address_line", length=160), _c("postcode", length=12),
    _c("uprn", length=12),
]

#: database tables (housing management; revenues and benefits)
SQL_TABLES: dict[str, tuple[Column, ...]] = {
    "tenancies": (
        _c("tenancy_ref", length=16, pk=True), *_PERSON,
        _c("start_date", "date", nullable=False), _c("end_date", "date"),
        _c("bedrooms", "int"), _c("household_size", "int"),
        _c("updated_at", "datetime", nullable=False),
    ),
    "repairs": (
        _c("repair_ref", length=16, pk=True), _c("tenancy_ref", length=16), _c("uprn", length=12),
        _c("reported_date", "date", nullable=False), _c("completed_date", "date"),
        _c("category", length=20), _c("priority", length=12), _c("target_days", "int"),
        _c("updated_at", "datetime", nullable=False),
    ),
    "housing_register": (
        _c("application_ref", length=20, pk=True), *_PERSON,
        _c("snapshot_year", "int", nullable=False), _c("band", length=1),
        _c("bedrooms_needed", "int"), _c("bedrooms_current", "int"), _c("overcrowded", "int"),
        _c("household_size", "int"), _c("updated_at", "datetime", nullable=False),
    ),
    "homelessness_cases": (
        _c("case_ref", length=16, pk=True), *_PERSON,
        _c("approach_date", "date", nullable=False), _c("duty", length=20),
        _c("household_type", length=24), _c("updated_at", "datetime", nullable=False),
    ),
    "temporary_accommodation": (
        _c("placement_ref", length=16, pk=True), _c("case_ref", length=16),
        _c("start_date", "date", nullable=False), _c("end_date", "date"),
        _c("placement_type", length=24), _c("out_of_borough", "int"),
        _c("updated_at", "datetime", nullable=False),
    ),
    "council_tax_support": (
        _c("claim_ref", length=16, pk=True), *_PERSON,
        _c("start_date", "date", nullable=False), _c("end_date", "date"), _c("pensioner", "int"),
        _c("updated_at", "datetime", nullable=False),
    ),
    "council_tax_accounts": (
        _c("account_year_ref", length=20, pk=True), _c("account_ref", length=16),
        _c("uprn", length=12), _c("address_line", length=160), _c("postcode", length=12),
        _c("liable_first_name", length=80), _c("liable_surname", length=80),
        _c("liable_date_of_birth", "date"), _c("financial_year", "int", nullable=False),
        _c("charge", "numeric"), _c("arrears_at_year_end", "numeric"),
        _c("updated_at", "datetime", nullable=False),
    ),
    "dhp_awards": (
        _c("award_ref", length=16, pk=True), _c("claim_ref", length=16),
        _c("award_date", "date", nullable=False), _c("amount", "numeric"), _c("reason", length=20),
        _c("updated_at", "datetime", nullable=False),
    ),
}

HOUSING_TABLES = ("tenancies", "repairs", "housing_register", "homelessness_cases", "temporary_accommodation")
REVENUES_TABLES = ("council_tax_support", "council_tax_accounts", "dhp_awards")

#: file exports: column order
FILE_COLUMNS: dict[str, tuple[str, ...]] = {
    "social_care_children": ("child_ref", "first_name", "surname", "date_of_birth", "address_line",
                             "postcode", "uprn", "episode_type", "start_date", "end_date"),
    "social_care_adults": ("client_ref", "first_name", "surname", "date_of_birth", "address_line",
                           "postcode", "uprn", "service_type", "start_date", "end_date"),
    "crm_cases": ("case_ref", "created_at", "category", "incident_uprn", "incident_postcode",
                  "incident_easting", "incident_northing", "reporter_first_name", "reporter_surname",
                  "reporter_postcode", "reporter_address_line", "status"),
    "libraries_activity": ("member_id", "first_name", "surname", "date_of_birth", "address_line",
                           "postcode", "uprn", "joined_date", "year", "visits", "loans", "active"),
    "education_pupils": ("upn", "first_name", "surname", "date_of_birth", "address_line", "postcode",
                         "uprn", "academic_year", "year_group", "sessions_possible", "sessions_missed",
                         "fixed_term_exclusions", "permanent_exclusion", "ehc_plan", "activity_16_17"),
    "community_safety_incidents": ("incident_ref", "recorded_date", "incident_type", "victim_first_name",
                                   "victim_surname", "victim_date_of_birth", "victim_postcode",
                                   "victim_address_line", "location_postcode"),
    "ncmp_measurements": ("measurement_ref", "first_name", "surname", "date_of_birth", "sex", "postcode",
                          "address_line", "school_year", "measurement_date", "height_cm", "weight_kg",
                          "bmi_centile", "weight_category"),
}

#: the column of each personal table that `_truth/record_persons.csv` calls record_ref:
#: the record's own key (the first key column where a record has two, e.g. upn of
#: (upn, academic_year)); several records can share it (a pupil's years, a child's episodes)
TRUTH_REF_COLUMNS: dict[str, str] = {
    "tenancies": "tenancy_ref",
    "housing_register": "application_ref",
    "homelessness_cases": "case_ref",
    "council_tax_support": "claim_ref",
    "council_tax_accounts": "account_year_ref",
    "social_care_children": "child_ref",
    "social_care_adults": "client_ref",
    "crm_cases": "case_ref",
    "libraries_members": "member_id",
    "education_pupils": "upn",
    "community_safety_incidents": "incident_ref",
    "ncmp_measurements": "measurement_ref",
}
