"""data-1: feature expectations are captured in a schema that data is validated against."""

from __future__ import annotations

from collections.abc import Iterator

from ml_readiness.evidence import Evidence, Finding, Hint
from ml_readiness.facts import Facts
from ml_readiness.registry import check

from ._unit_tested_validators import unit_tested_only
from .schema_code import code_schema_evidence
from .schema_columns import column_validator_evidence
from .schema_config import config_schema_evidence
from .schema_files import schema_file_evidence
from .schema_ge import ge_evidence
from .schema_pydantic import pydantic_evidence


@check("data-1")
def feature_schema(facts: Facts) -> Iterator[Evidence | Finding | Hint]:
    """Feature schema that data is validated against.

    Credits a schema only where data is validated against it, and says which columns it
    covers: Great Expectations suites (0.x `great_expectations/expectations/`, 1.x
    `gx/expectations/`, or built in code) reached by a checkpoint (0.x YAML, 1.x JSON; automated
    when CI runs it) or a validation call (`run_checkpoint`, checkpoint/validation-definition
    `.run()`, `validator.validate()`); legacy GE datasets (`ge.dataset.PandasDataset(
    pd.read_csv(...))`) whose `expect_*` expectations a live test runs, the dataset built by
    the test or by one of its fixtures (conftest.py included) from data that is read (a frame
    written in the test suite is toy data); pandera schemas/models with `.validate()` or
    `@pa.check_types`; pydantic feature-row models validated in data-loading code (not tests:
    a test of the model class is no validation of the data) or taken as
    a FastAPI request body (FastAPI validates every request against them; manual, since that
    guards serving requests, not the training data); TFDV
    `validate_statistics`/`ExampleValidator` (a TFX ExampleValidator built but never added to
    the pipeline's components, as in the TFX templates, validates nothing); JSON Schema record
    files used by `jsonschema`;
    Soda checks run by `soda scan`; dbt `schema.yml` tests run by `dbt test`/`dbt build`;
    Deepchecks `data_integrity()` suites that are run; hand-written column checks (a
    `REQUIRED_COLUMNS`/`FEATURE_COLS` constant compared with the data's columns by a function
    that raises) called by training or data-preparation code (manual when they check column
    presence only, even when a pipeline runs them: the rubric asks for types, ranges and
    distributions, and a hint says so when automation runs such a check); committed JSON
    schema files listing the columns (`schema_training.json` with `ColName`/`NumberofColumns`)
    that a loader reads and a validator of the same module enforces (raises, or moves bad files
    away), called together on the training data path (manual for count/presence checks).
    pydantic models of generation settings (prompt + max_new_tokens, temperature ...) are not
    feature rows.
    Validating a pydantic model validates the models its fields nest (`features: Row`,
    `list[Row]`, `Row | None`) and its base classes, across modules. A schema nothing
    validates against is a "not validated against" finding and earns nothing. Schemas
    defined only in tests, docs, examples or benchmarks describe fixture data, not the
    project's features, and are left out
    (a test validating the project's own schema counts when it validates data the test or its
    fixtures read, or that project code returns; a pandera or jsonschema validation of a frame
    or record typed into the test, or generated at random, tests the schema, not the data, and
    earns nothing).
    """
    found = False
    for produced in (
        *ge_evidence(facts),
        *code_schema_evidence(facts),
        *pydantic_evidence(facts),
        *column_validator_evidence(facts),
        *config_schema_evidence(facts),
        *schema_file_evidence(facts),
    ):
        found = found or isinstance(produced, Evidence)
        capped = unit_tested_only(facts, produced) if isinstance(produced, Evidence) else None
        if capped:
            yield from capped
            continue
        yield produced
    if not found:
        yield Hint(
            "data-1",
            "no schema that data is validated against: looked for Great Expectations "
            "checkpoints/validation runs, pandera .validate()/@check_types, pydantic feature-row "
            "validation, TFDV validate_statistics, jsonschema.validate, soda scan, dbt test, "
            "Deepchecks data_integrity().run() and REQUIRED_COLUMNS-style column checks",
        )
