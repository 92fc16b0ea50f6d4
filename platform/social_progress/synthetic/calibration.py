"""The published borough-level figures the synthetic records are calibrated to.

Why: synthetic stand-ins are only useful if their levels are plausible for Barking and
Dagenham. Every level a generator aims at is either a figure in `CALIBRATION` (with the
publication it comes from, and `approximate=True` where the figure is remembered or
rounded rather than read from the table) or an explicit, labelled assumption in
`ASSUMPTIONS` (where no published figure is used). Nothing here is tuned to make any
index look better or worse: figures are taken as published, and where a borough figure
is not known the England figure is used and said so.

The shape across LSOAs never comes from here: it comes from the real IoD 2019 ranks.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Calibration:
    key: str
    measure: str
    value: float
    unit: str
    publication: str
    year: str
    approximate: bool
    note: str = ""


CALIBRATION: tuple[Calibration, ...] = (
    Calibration(
        "population_2019", "Usual resident population, mid-2019", 212_906, "persons",
        "ONS mid-year population estimates, LSOA 2011 (bundled london-mid2019-pop.csv)",
        "2019", False, "Sum over the borough's 110 LSOAs; also the LSOA age/sex structure.",
    ),
    Calibration(
        "population_2011", "Usual resident population, Census 2011", 185_900, "persons",
        "ONS Census 2011", "2011", True, "Rounded; used only to interpolate mid-2015.",
    ),
    Calibration(
        "population_2021", "Usual resident population, Census 2021", 218_900, "persons",
        "ONS Census 2021 first results (rounded to the nearest 100)", "2021", False,
        "Growth after 2021 continues at the 2019-2021 rate (an assumption).",
    ),
    Calibration(
        "council_homes", "Council (HRA) dwellings", 17_500, "dwellings",
        "DLUHC Local authority housing statistics (LAHS), dwelling stock", "2019-20", True,
        "Roughly 17,000-18,000 council homes over the period; 17,500 used throughout.",
    ),
    Calibration(
        "households_in_ta", "Households in temporary accommodation at a point in time", 1_300,
        "households", "DLUHC Statutory homelessness live tables (1,286 in Oct-Dec 2022, "
        "as reported by the Ilford Recorder, 2023)", "2022", True,
        "1,286 rounded to 1,300 and used for every year (earlier years were likely higher).",
    ),
    Calibration(
        "housing_register", "Households on the housing register", 6_300, "households",
        "LBBD Housing Strategy 2026-31 consultation (reported by Inside Housing, Feb 2026)",
        "2026", True, "'Over 6,300'; a later figure applied to every snapshot.",
    ),
    Calibration(
        "cts_households", "Households receiving Council Tax Support", 15_000, "households",
        "LBBD Cabinet, 17 January 2023 (reported by the Barking and Dagenham Post)",
        "2023", True, "'15,000 households in receipt of council tax support'.",
    ),
    Calibration(
        "cin_rate", "Children in need at 31 March (incl. CPP and LAC)", 380,
        "per 10,000 children 0-17", "LBBD Cabinet, Children's Social Care Annual Report "
        "2013/14: 2,183 children receiving a statutory social care service", "2014", True,
        "2,183 over roughly 57,000 children, rounded; England 2019 was about 334.",
    ),
    Calibration(
        "cpp_rate", "Children subject to a child protection plan at 31 March", 45,
        "per 10,000 children 0-17", "DfE Characteristics of children in need (England 43.7)",
        "2019", True, "England figure used (borough figure not known to us), rounded.",
    ),
    Calibration(
        "lac_rate", "Children looked after at 31 March", 65, "per 10,000 children 0-17",
        "DfE Children looked after in England including adoptions (England 65)", "2019",
        True, "England figure used (borough figure not known to us).",
    ),
    Calibration(
        "domestic_abuse_rate", "Domestic abuse offences", 13.0, "per 1,000 residents a year",
        "MOPAC domestic abuse dashboard (12.6 in 2018, 13.6 in 2019; reported by the "
        "Barking and Dagenham Post)", "2018-2019", True, "Highest rate in London.",
    ),
    Calibration(
        "ncmp_y6_obese", "Year 6 obese (including severely obese)", 0.30, "share of measured",
        "NHS Digital National Child Measurement Programme 2017/18 (reported by the "
        "Barking and Dagenham Post)", "2017/18", True, "'Almost one in three'.",
    ),
    Calibration(
        "ncmp_y6_severely_obese", "Year 6 severely obese", 0.067, "share of measured",
        "NHS Digital National Child Measurement Programme 2017/18 (as reported)", "2017/18",
        False, "",
    ),
    Calibration(
        "ncmp_y6_overweight", "Year 6 overweight (not obese)", 0.15, "share of measured",
        "NHS Digital National Child Measurement Programme 2017/18 (as reported)", "2017/18",
        True, "'15pc'.",
    ),
    Calibration(
        "ncmp_reception_obese", "Reception obese (including severely obese)", 0.13,
        "share of measured", "NHS Digital National Child Measurement Programme", "2018/19",
        True, "Borough figure remembered as about 12-13%; England was 9.7%.",
    ),
    Calibration(
        "ncmp_reception_overweight", "Reception overweight (not obese)", 0.13,
        "share of measured", "NHS Digital National Child Measurement Programme", "2018/19",
        True, "England was 12.9%; borough assumed similar.",
    ),
    Calibration(
        "ncmp_participation", "NCMP participation", 0.95, "share of eligible children",
        "NHS Digital National Child Measurement Programme (England, typical year)",
        "2018/19", True, "The curtailed 2019/20 and 2020/21 collections are not modelled.",
    ),
    Calibration(
        "absence_rate", "Overall absence rate (sessions missed / possible)", 0.047,
        "share of sessions", "DfE Pupil absence in schools in England 2018/19 (England 4.7%)",
        "2018/19", True, "England figures by year in ABSENCE_BY_YEAR; borough assumed close.",
    ),
    Calibration(
        "ehc_share", "Pupils with an EHC plan", 0.031, "share of pupils",
        "DfE Special educational needs in England (England, January 2019)", "2019", True,
        "Rises from about 2.8% (2016) to 4.3% (2023), see EHC_BY_YEAR.",
    ),
    Calibration(
        "permanent_exclusion_rate", "Permanent exclusions", 0.0010, "per pupil a year",
        "DfE Permanent and fixed-period exclusions in England 2018/19 (England 0.10%)",
        "2018/19", True, "England figure used.",
    ),
    Calibration(
        "suspension_rate", "Fixed-term exclusions (suspensions)", 0.0536, "per pupil a year",
        "DfE Permanent and fixed-period exclusions in England 2018/19 (England 5.36 per 100)",
        "2018/19", True, "England figure used; later years higher (see SUSPENSIONS_BY_YEAR).",
    ),
    Calibration(
        "neet_not_known_16_17", "16-17 year olds NEET or activity not known", 0.055,
        "share of 16-17 year olds", "DfE NEET and participation: local authority figures "
        "(England, end 2019)", "2019", True, "About 2.6% NEET and 2.9% not known in England.",
    ),
    Calibration(
        "births", "Live births a year", 3_800, "births",
        "ONS Births in England and Wales by local authority", "2015-2019", True,
        "About 3,700-3,900 a year; the highest general fertility rates in London.",
    ),
    Calibration(
        "adult_ltc_18_64", "Adults 18-64 receiving long-term support during the year", 0.009,
        "share of residents 18-64", "NHS Digital Adult Social Care Activity and Finance "
        "Report 2019-20 (England rate)", "2019-20", True, "England rate applied to the borough.",
    ),
    Calibration(
        "adult_ltc_65_plus", "Adults 65+ receiving long-term support during the year", 0.052,
        "share of residents 65+", "NHS Digital Adult Social Care Activity and Finance "
        "Report 2019-20 (England rate)", "2019-20", True, "England rate applied to the borough.",
    ),
    Calibration(
        "band_d_2019", "Band D council tax including the GLA precept", 1_500.0, "GBP a year",
        "LBBD council tax leaflet 2019/20", "2019-20", True,
        "About £1,500; other years move by 4% a year (an assumption).",
    ),
    Calibration(
        "ct_collection_rate", "Council tax collected in year", 0.955, "share of charge",
        "DLUHC Collection rates for council tax and non-domestic rates in England", "2019-20",
        True, "About 95-96% in year for the borough.",
    ),
)

CAL: dict[str, Calibration] = {c.key: c for c in CALIBRATION}

#: overall absence, England, by academic year start (DfE); approximate, see CALIBRATION
ABSENCE_BY_YEAR = {2015: 0.046, 2016: 0.047, 2017: 0.048, 2018: 0.047, 2019: 0.049,
                   2020: 0.046, 2021: 0.076, 2022: 0.074, 2023: 0.071}
#: share of pupils with an EHC plan, England, by academic year start; approximate
EHC_BY_YEAR = {2015: 0.028, 2016: 0.028, 2017: 0.028, 2018: 0.029, 2019: 0.031,
               2020: 0.033, 2021: 0.037, 2022: 0.040, 2023: 0.043}
#: suspensions per pupil, England, by academic year start; approximate
SUSPENSIONS_BY_YEAR = {2015: 0.045, 2016: 0.048, 2017: 0.051, 2018: 0.054, 2019: 0.042,
                       2020: 0.042, 2021: 0.069, 2022: 0.093, 2023: 0.095}

#: Levels that are NOT calibrated to a publication: our assumptions, stated as such.
ASSUMPTIONS: dict[str, str] = {
    "households": "Addresses per LSOA = residents / 2.6; about 93% of addresses occupied.",
    "migration": "Households leave the borough at 2.5% a year (12% for private renters), "
                 "move within it at 3-10% a year; arrivals keep the population on the "
                 "2011-2019-2021 census/estimate path.",
    "deaths": "Gompertz mortality q(age) = exp(-10.5 + 0.094 age), about 1,200 deaths a year.",
    "deprivation_betas": "Relative risk exp(beta * z), z = the LSOA's IoD 2019 rank as a "
                         "standard normal score, standardised within the borough; beta per "
                         "service in each generator (0.2-0.8).",
    "homelessness": "About 2,000 homelessness approaches a year (order of magnitude only).",
    "dhp": "About 1,000 Discretionary Housing Payment awards a year, median about £600.",
    "repairs": "About 3.2 responsive repairs per council home a year.",
    "cts_spells": "Council Tax Support spells last 6 years on average (exponential).",
    "crm": "About 10,000 fly-tipping, 8,000 missed-collection, 4,000 anti-social behaviour "
           "and 3,000 noise reports a year (order of magnitude only).",
    "libraries": "About a fifth of residents hold a library card (children 40%); about half "
                 "of card holders use it in a year (order of magnitude only).",
    "serious_youth_violence": "About 200 victims aged 1-19 a year (order of magnitude only).",
    "council_tax_bands": "Flats mostly bands A-C, houses mostly C-D: overall about A 6%, B 23%, "
                         "C 38%, D 24%, E 7%, F-G 2%.",
    "mess": "Record-keeping errors at the rates of the brief (duplicates 2-4%, name "
            "variants 5%, missing postcodes 3%, mistyped 2%, out of borough 2%).",
}


def value(key: str) -> float:
    return CAL[key].value


def as_rows() -> list[dict]:
    """The table as plain rows (for MANIFEST.json and reports)."""
    return [
        {"measure": c.measure, "key": c.key, "value": c.value, "unit": c.unit,
         "publication": c.publication, "year": c.year,
         "approximate": c.approximate, "note": c.note}
        for c in CALIBRATION
    ]
