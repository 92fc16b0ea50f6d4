"""Typed model of one catalogue entry: who publishes a feed, which steward role fetches it,
under what licence, how to read it.

Why: every later step (landing, Dagster metadata, release attribution, schedules) needs the
same facts about a source; holding them in validated objects means a typo in sources.yml is
caught when the catalogue is loaded, not half way through a nightly run.

The models check shape and vocabulary only. Whether a file exists is a question about the
disk, answered by `loader.load_catalogue` against a project root.
"""
from __future__ import annotations

import re
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

CADENCES = ("daily", "weekly", "monthly", "quarterly", "yearly", "irregular", "once")
FORMATS = ("csv", "xlsx", "geojson", "shapefile", "json")
GEOGRAPHY_LEVELS = ("lsoa", "msoa", "ward", "borough", "region", "postcode", "points", "none")

Cadence = Literal["daily", "weekly", "monthly", "quarterly", "yearly", "irregular", "once"]
Format = Literal["csv", "xlsx", "geojson", "shapefile", "json"]
Origin = Literal["public", "council"]
GeographyLevel = Literal["lsoa", "msoa", "ward", "borough", "region", "postcode", "points", "none"]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_GLOB_CHARS = set("*?[")


class _Strict(BaseModel):
    """Unknown keys are refused: a misspelt key (`encodng:`) would otherwise be silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Owner(_Strict):
    """A person (or team inbox) of the deployment who is alerted: a source's steward, or the
    index owner. The email becomes the Dagster asset owner."""

    name: str = Field(min_length=1)
    email: str

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if not _EMAIL.match(value):
            raise ValueError(f"{value!r} is not an email address")
        return value


_ROLE = r"^[a-z][a-z0-9_]*$"
_URL = re.compile(r"^https?://[^\s/]+")


class Publisher(_Strict):
    """Who issues the data (ONS, the police, the FSA, a council service). Never alerted: the
    publisher does not know or care that this platform holds a stale or broken copy; the
    source's steward fetches the data and acts. `contact` (an email or a URL) is kept for
    reference; `url` is where the latest edition can be fetched, when known."""

    name: str = Field(min_length=1)
    contact: str | None = Field(default=None, description="an email address or an http(s) URL, for reference only")
    url: str | None = Field(default=None, description="where to fetch the latest edition")

    @field_validator("contact")
    @classmethod
    def _contact(cls, value: str | None) -> str | None:
        if value is not None and not (_EMAIL.match(value) or _URL.match(value)):
            raise ValueError(f"{value!r} is neither an email address nor an http(s) URL")
        return value

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not _URL.match(value):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value

    @property
    def email(self) -> str | None:
        """The contact when it is an email address (compared with the steward's)."""
        return self.contact if self.contact and _EMAIL.match(self.contact) else None


class Licence(_Strict):
    """Licence and the attribution statement a release must carry."""

    name: str = Field(min_length=1)
    attribution: str = Field(min_length=1)
    url: str | None = None


class Geography(_Strict):
    """Geography the rows are keyed by; vintage matters because codes change between censuses."""

    level: GeographyLevel
    vintage: str | None = None

    @field_validator("vintage", mode="before")
    @classmethod
    def _vintage_as_text(cls, value: object) -> object:
        # YAML reads `vintage: 2011` as an int; a vintage is a label, not a number.
        return str(value) if isinstance(value, int) else value


class Coverage(_Strict):
    """Which London boroughs a feed covers. Without it a feed covers all of London; a
    borough's own feed (FixMyStreet's extract, a council system) names its `boroughs`, a
    London feed with holes names the boroughs it lacks (`except_boroughs`: the Met's crime
    files have no City of London rows). An indicator built on a feed leaves the framework of
    any borough the feed does not cover (never zero-filled)."""

    boroughs: list[Annotated[str, Field(pattern=r"^E09\d{6}$")]] | None = Field(default=None, min_length=1)
    except_boroughs: list[Annotated[str, Field(pattern=r"^E09\d{6}$")]] | None = Field(default=None, min_length=1)
    note: str | None = None

    @model_validator(mode="after")
    def _one_rule(self) -> "Coverage":
        if (self.boroughs is None) == (self.except_boroughs is None):
            raise ValueError("give either boroughs (the only ones covered) or except_boroughs (the ones not covered)")
        return self

    def covers(self, borough: str) -> bool:
        return borough in self.boroughs if self.boroughs is not None else borough not in self.except_boroughs

    def covered(self, london: list[str]) -> list[str]:
        """The boroughs covered, out of London's."""
        return list(self.boroughs) if self.boroughs is not None else [b for b in london if b not in self.except_boroughs]


def _check_encoding(value: str) -> str:
    if value == "detect":
        return value
    import codecs

    try:
        codecs.lookup(value)
    except LookupError:
        raise ValueError(f"{value!r} is not a known text encoding (or 'detect')") from None
    return value


class FileReader(_Strict):
    """A bundled or dropped-in file, or a glob of files to be concatenated."""

    kind: Literal["file"] = "file"
    path: str = Field(min_length=1, description="file path or glob, relative to the project root")
    format: Format
    encoding: str = "utf-8"
    sheet: str | int | None = Field(default=None, description="xlsx only: sheet name or index")

    @field_validator("encoding")
    @classmethod
    def _encoding(cls, value: str) -> str:
        return _check_encoding(value)

    @property
    def is_glob(self) -> bool:
        return any(ch in _GLOB_CHARS for ch in self.path)


class HttpReader(_Strict):
    """A file downloaded over http(s), with a local copy to use when the network is not there."""

    kind: Literal["http"] = "http"
    url: str
    format: Format
    encoding: str = "utf-8"
    sheet: str | int | None = None
    fallback: str | None = Field(default=None, description="local file used when the URL cannot be fetched")
    sha256: str | None = Field(default=None, description="expected checksum of the download")
    timeout: float = Field(default=30.0, gt=0)

    @field_validator("encoding")
    @classmethod
    def _encoding(cls, value: str) -> str:
        return _check_encoding(value)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value

    @field_validator("format")
    @classmethod
    def _single_file_format(cls, value: str) -> str:
        if value == "shapefile":
            raise ValueError("a shapefile is several files and cannot be downloaded as one; "
                             "publish it as GeoJSON or use a file reader")
        return value

    @field_validator("sha256")
    @classmethod
    def _sha(cls, value: str | None) -> str | None:
        if value is not None and not _SHA256.match(value.lower()):
            raise ValueError(f"{value!r} is not a sha256 hex digest (64 hex characters)")
        return value.lower() if value else value


class SqlReader(_Strict):
    """A query against a database; the URL comes from the environment so no secret is committed.

    `default_url` is the embedded database used when the variable is not set; it is allowed
    only for synthetic sources (the stand-in systems `make run` builds, e.g. SQLite), so a
    real council source never silently reads a local file instead of its own system.
    `watermark` names a column that grows whenever a row is added or changed (`updated_at`)
    and `key` the row's unique key: the source is then read incrementally, only the rows
    past the last load's watermark, merged by key (a full read when rows were deleted).
    """

    kind: Literal["sql"] = "sql"
    url_env: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    query: str = Field(min_length=1)
    default_url: str | None = Field(default=None, description="embedded database (synthetic sources only); "
                                    "relative sqlite paths are relative to the project root")
    watermark: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    key: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")

    @field_validator("query")
    @classmethod
    def _single_select(cls, value: str) -> str:
        """Only one SELECT/WITH statement: a query must never change the database it reads."""
        # imported here: the ingest package imports the catalogue, not the other way round
        from social_progress.ingest.sql_guard import query_problem

        problem = query_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @model_validator(mode="after")
    def _watermark_needs_key(self) -> "SqlReader":
        if (self.watermark is None) != (self.key is None):
            raise ValueError("an incremental read needs both `watermark` (the column that grows) and `key` (the row key)")
        return self

    # The result is landed as UTF-8 CSV and read back like any CSV source.
    @property
    def format(self) -> str:
        return "csv"

    @property
    def encoding(self) -> str:
        return "utf-8"


Reader = Annotated[Union[FileReader, HttpReader, SqlReader], Field(discriminator="kind")]


class PersonColumns(_Strict):
    """The columns that identify a person in a council system's records (all optional: a
    system holds what it holds). They are direct identifiers: kept only in the restricted
    layer, used to link records of the same resident (Splink) and never copied to raw."""

    ref: str | None = Field(default=None, description="the system's own person reference (pseudonymised to person_key)")
    first_name: str | None = None
    surname: str | None = None
    date_of_birth: str | None = None
    address: str | None = None
    postcode: str | None = None
    uprn: str | None = None

    def columns(self) -> list[str]:
        return [c for c in (self.ref, self.first_name, self.surname, self.date_of_birth, self.address,
                            self.postcode, self.uprn) if c]


class PlaceColumns(_Strict):
    """Where a record is counted: a UPRN (matched to the address gazetteer), a postcode or
    British National Grid coordinates, tried in that order. Address-level, so restricted too."""

    uprn: str | None = None
    postcode: str | None = None
    easting: str | None = None
    northing: str | None = None

    def columns(self) -> list[str]:
        return [c for c in (self.uprn, self.postcode, self.easting, self.northing) if c]


class PersonalData(_Strict):
    """How a source holding personal data is split at ingest.

    `record_key` is the record's own key (pseudonymised to `record_key`); `person` the
    identity columns (linked, restricted); `place` the columns that put the record on the
    map (restricted); `restricted` any other identifying column (free text, a reporter's
    address) kept only in the restricted layer. Every other column goes to raw.<id>."""

    record_key: str | list[str]          # the record's own key (several columns: joined)
    person: PersonColumns | None = None
    place: PlaceColumns | None = None
    restricted: list[str] = Field(default_factory=list)
    # a column holding another source's record key (a repair's tenancy, a placement's case):
    # replaced in raw by `<column>_key`, the same pseudonym that source's record_key has
    references: dict[str, str] = Field(default_factory=dict)

    def record_key_columns(self) -> list[str]:
        return [self.record_key] if isinstance(self.record_key, str) else list(self.record_key)

    def restricted_columns(self) -> list[str]:
        cols = self.record_key_columns() + (self.person.columns() if self.person else []) \
            + (self.place.columns() if self.place else []) + list(self.restricted) + list(self.references)
        return list(dict.fromkeys(cols))


class Source(_Strict):
    """One feed in the catalogue."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=63)
    title: str = Field(min_length=1)
    publisher: Publisher
    # a steward ROLE (housing, gis, public_data...): the person behind it is the deployment's,
    # in catalogue/areas.yml `stewards:` (social_progress.catalogue.stewards.steward_for)
    steward: str = Field(pattern=_ROLE, max_length=63)
    description: str | None = None
    licence: Licence
    cadence: Cadence
    geography: Geography
    personal_data: bool
    reader: Reader
    required_columns: list[str] = Field(default_factory=list)
    coverage: Coverage | None = None     # None: every London borough
    origin: Origin = "public"            # council: the council's own system (not published by anyone)
    synthetic: bool = False              # a generated stand-in, labelled as such everywhere it appears
    personal: PersonalData | None = None  # how identifiers are split off at ingest (personal_data sources)

    @model_validator(mode="after")
    def _council_rules(self) -> "Source":
        if self.personal is not None and not self.personal_data:
            raise ValueError("`personal` (identifier columns) is given but personal_data is false")
        if self.origin == "council" and self.personal_data and self.personal is None:
            raise ValueError("a council source with personal data must say which columns identify people (`personal`)")
        reader = self.reader
        if isinstance(reader, SqlReader) and reader.default_url and not self.synthetic:
            raise ValueError("reader.default_url (an embedded database) is allowed only for synthetic sources: "
                             "a real source must read the URL in its url_env")
        return self

    @field_validator("publisher", mode="before")
    @classmethod
    def _publisher_shape(cls, value: object) -> object:
        if isinstance(value, str):
            raise ValueError(f"give the publisher as {{name, contact, url}}, not the text {value!r}")
        return value

    @field_validator("steward", mode="before")
    @classmethod
    def _steward_is_a_role(cls, value: object) -> object:
        if isinstance(value, dict):
            raise ValueError("the steward is a role key (e.g. housing, public_data); the person behind it belongs "
                             "in catalogue/areas.yml `stewards:`")
        return value

    @property
    def fetch_url(self) -> str | None:
        """Where the latest edition is fetched: the publisher's page, else the reader's URL."""
        if self.publisher.url:
            return self.publisher.url
        return self.reader.url if isinstance(self.reader, HttpReader) else None

    def covers(self, borough: str) -> bool:
        """True when the feed has data for `borough` (an E09 code)."""
        return self.coverage is None or self.coverage.covers(borough)

    @field_validator("required_columns", mode="before")
    @classmethod
    def _columns_as_text(cls, value: object) -> object:
        # `- 2011` in YAML is an int, but CSV headers are always text.
        if isinstance(value, list):
            return [str(v) if isinstance(v, (int, float)) else v for v in value]
        return value


class Catalogue(BaseModel):
    """All sources, in file order, looked up by id."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    path: str
    sources: list[Source]

    def get(self, source_id: str) -> Source:
        for source in self.sources:
            if source.id == source_id:
                return source
        raise KeyError(f"{self.path}: no source {source_id!r}; known: {', '.join(self.ids)}")

    @property
    def ids(self) -> list[str]:
        return [s.id for s in self.sources]
