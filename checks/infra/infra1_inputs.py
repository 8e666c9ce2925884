"""infra-1: the inputs of training are pinned: locked dependencies, pinned base images,
versioned data; and a finding when training data comes from a location that can change."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ml_readiness.checks.infra._shared import training_code

from ml_readiness.checklib import call_evidence
from ml_readiness.evidence import Evidence, Finding, Hint
from ml_readiness.facts import Facts, is_example_config, is_test_path
from ml_readiness.facts.python import PythonFacts
from ml_readiness.registry import check

LOCK_FILES = {
    "poetry.lock": "Poetry",
    "uv.lock": "uv",
    "pdm.lock": "PDM",
    "pipfile.lock": "Pipenv",
    "conda-lock.yml": "conda-lock",
    "conda-lock.yaml": "conda-lock",
    "pixi.lock": "pixi",
    "requirements.lock": "Rye",
}
_CONDA_LOCK = re.compile(r"(^conda-.+\.lock$)|(\.conda-lock\.ya?ml$)")
_REQUIREMENTS = re.compile(r"(^|/)[^/]*requirements[^/]*\.txt$|(^|/)requirements/[^/]+\.txt$")
_PIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[^\]]*\])?\s*===?\s*[^\s*;,]+(\s*;.*)?$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*")
_FROM = re.compile(r"^\s*FROM\s+(?:--\S+\s+)*(?P<image>\S+)(?:\s+AS\s+(?P<stage>\S+))?", re.I)
_HEX = re.compile(r"^(?:(?:sha256|sha1|md5|sha512):)?[0-9a-fA-F]{32,128}$")
HASH_KWARGS = ("known_hash", "file_hash", "md5", "sha256", "sha1", "checksum", "hash_value")


def _requirement_lines(text: str) -> list[str]:
    joined = re.sub(r"\\\r?\n", " ", text)
    out = []
    for raw in joined.splitlines():
        line = re.sub(r"(^|\s)#.*$", "", raw).strip()
        if line:
            out.append(line)
    return out


def _pinning(text: str) -> tuple[int, list[str], bool]:
    """(pinned count, unpinned requirements, hashes used) of a requirements file."""
    pinned, unpinned, hashed = 0, [], False
    for line in _requirement_lines(text):
        if "--hash=" in line:
            hashed = True
            pinned += 1
            continue
        if line.startswith("-") or line.startswith((".", "/")) or "://" in line or " @ " in line:
            continue  # options, includes, local paths and direct URLs
        if _PIN.match(line):
            pinned += 1
        elif _NAME.match(line):
            unpinned.append(line.split(";")[0].strip())
    return pinned, unpinned, hashed


def _dockerfiles(facts: Facts) -> list[str]:
    out = []
    for path in facts.repo.files:
        base = path.rsplit("/", 1)[-1].lower()
        dockerish = base == "dockerfile" or base.endswith(".dockerfile")
        dockerish = dockerish or base.startswith("dockerfile.")
        if dockerish and not is_example_config(path) and not path.startswith("../"):
            out.append(path)
    return out


def _base_images(text: str) -> Iterator[tuple[int, str, bool | None]]:
    """(line, image, pinned) per FROM; pinned is None for stages, scratch and variables."""
    stages: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        m = _FROM.match(line)
        if not m:
            continue
        image = m.group("image")
        if m.group("stage"):
            stages.add(m.group("stage").lower())
        if image.lower() in stages or image == "scratch" or "$" in image:
            yield number, image, None
            continue
        yield number, image, _pinned_image(image)


# a tag pins an image when it carries a full major.minor.patch version (`3.11.9-slim-bookworm`,
# `12.1.1-runtime-ubuntu22.04`) or a commit hash; `3.11-slim`, `22.04` and `latest` float
_FULL_VERSION = re.compile(r"(?<![\d.])\d+\.\d+\.\d+")
_COMMIT_TAG = re.compile(r"^(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)[0-9a-f]{7,40}$")


def _pinned_image(image: str) -> bool:
    """A digest, or a tag with a full x.y.z version or a commit hash."""
    if "@sha256:" in image:
        return True
    name = image.rsplit("/", 1)[-1]
    tag = name.split(":", 1)[1] if ":" in name else ""
    return bool(_FULL_VERSION.search(tag) or _COMMIT_TAG.match(tag))


@check("infra-1")
def pinned_dependencies(facts: Facts) -> Iterator[Evidence | Hint]:
    """Dependencies locked: lock files, fully pinned requirements, pinned base images.

    Lock files (poetry.lock, uv.lock, pdm.lock, Pipfile.lock, conda-lock files, pixi.lock),
    requirements files whose every requirement is pinned with `==` or carries `--hash`, and
    Dockerfiles whose every `FROM` image is pinned: a digest (`@sha256:`) or a tag carrying a
    full major.minor.patch version (`python:3.11.9-slim-bookworm`) or a commit hash. Floating
    tags (`python:3.11-slim`, `ubuntu:22.04`, `latest`) are not pinned. These let a person
    rebuild the same environment (manual credit).
    """
    found = False
    for path in facts.repo.files:
        if path.startswith("../") or is_example_config(path):
            continue
        base = path.rsplit("/", 1)[-1].lower()
        tool = LOCK_FILES.get(base) or ("conda-lock" if _CONDA_LOCK.search(base) else None)
        if tool:
            found = True
            yield Evidence(
                "infra-1", f"dependencies locked by {tool} ({base})", path, 1, "config", "manual"
            )
        elif _REQUIREMENTS.search(path.lower()) and not is_test_path(path):
            pinned, unpinned, hashed = _pinning(facts.text(path) or "")
            if pinned and not unpinned:
                found = True
                how = "with --hash" if hashed else "with =="
                detail = f"all {pinned} requirements pinned {how}"
                yield Evidence("infra-1", detail, path, 1, "config", "manual")
            elif unpinned:
                yield Hint(
                    "infra-1",
                    f"{path}: {len(unpinned)} of {pinned + len(unpinned)} requirements not "
                    f"pinned ({', '.join(unpinned[:5])})",
                )
    for path in _dockerfiles(facts):
        images = [(n, i, p) for n, i, p in _base_images(facts.text(path) or "") if p is not None]
        loose = [(n, i) for n, i, p in images if not p]
        if images and not loose:
            found = True
            names = ", ".join(i for _, i, _ in images[:3])
            yield Evidence(
                "infra-1", f"base image pinned: {names}", path, images[0][0], "config", "manual"
            )
        for n, image in loose:
            tag = image.rsplit("/", 1)[-1].partition(":")[2]
            if tag and tag != "latest":
                why = (
                    f"uses the floating tag `{tag}` (it moves to new patch releases and base "
                    "layers); pin a digest or a full x.y.z version tag"
                )
            else:
                why = "is not pinned to a tag or digest"
            yield Hint("infra-1", f"{path}:{n} `FROM {image}` {why}")
    if not found:
        yield Hint("infra-1", "no lock file, fully pinned requirements file or pinned base image")


@check("infra-1")
def versioned_data(facts: Facts) -> Iterator[Evidence | Hint]:
    """Training data versioned: DVC, Git LFS or dataset hashes checked in code.

    `dvc.yaml` pipelines and `.dvc` pointer files, Git LFS patterns (`filter=lfs`) in
    `.gitattributes`, and downloads verified against a checked-in digest (`known_hash=`,
    `file_hash=`, `md5=`/`sha256=` arguments, or `hashlib` digests compared with a hex literal).
    Manual credit: versioned data lets a person re-run on the same data.
    """
    found = False
    for path in facts.repo.named("dvc.yaml"):
        doc = facts.yaml_doc(path)
        stages = doc.get("stages") if isinstance(doc, dict) else None
        if isinstance(stages, dict) and stages:
            found = True
            line = doc.line_of("stages") if hasattr(doc, "line_of") else 1
            detail = f"DVC pipeline with {len(stages)} stage(s) versions data and outputs"
            yield Evidence("infra-1", detail, path, line, "config", "manual")
    pointers = [p for p in facts.repo.with_suffix(".dvc") if not is_example_config(p)]
    if pointers:
        found = True
        listed = ", ".join(p[:-4] for p in pointers[:3])
        detail = f"{len(pointers)} data file(s) versioned with DVC ({listed})"
        yield Evidence("infra-1", detail, pointers[0], 1, "config", "manual")
    for path in facts.repo.named(".gitattributes"):
        hits = [(n, t) for _, n, t in facts.grep(r"filter=lfs", [path]) if not t.startswith("#")]
        if hits:
            found = True
            patterns = ", ".join(t.split()[0] for _, t in hits[:4])
            yield Evidence(
                "infra-1", f"Git LFS versions {patterns}", path, hits[0][0], "config", "manual"
            )
    for path, pf in facts.python_files(mentions=HASH_KWARGS + ("hashlib",), notebooks=True):
        for ev in _hash_checks(path, pf):
            found = True
            yield ev
    if not found:
        yield Hint("infra-1", "no DVC, Git LFS or dataset hash found: data is not versioned")


def _hash_checks(path: str, pf: PythonFacts) -> Iterator[Evidence]:
    for call in pf.calls:
        for key in HASH_KWARGS:
            value = call.kw(key)
            if isinstance(value, str) and _HEX.match(value):
                detail = f"download verified against a checked-in hash (`{call.name}({key}=...)`)"
                yield call_evidence("infra-1", path, call, detail, credit="manual")
                return
    digests = [c for c in pf.calls if c.qualified.startswith("hashlib.")]
    if digests and any(_HEX.match(s) for s, _ in pf.strings):
        call = digests[0]
        detail = f"dataset digest (`{call.name}`) compared with a checked-in hash"
        yield call_evidence("infra-1", path, call, detail, credit="manual")


# -- training data from a location that can change --------------------------------------------
DOWNLOAD_CALLS = (
    "requests.get",
    "urllib.request.urlretrieve",
    "urllib.request.urlopen",
    "pandas.read_csv",
    "pandas.read_parquet",
    "pandas.read_json",
    "pandas.read_excel",
    "pandas.read_table",
    "pandas.read_feather",
    "tensorflow.keras.utils.get_file",
    "keras.utils.get_file",
    "wget.download",
    "gdown.download",
    "torch.hub.download_url_to_file",
    "pooch.retrieve",
)
URL_KWARGS = ("url", "origin", "filepath_or_buffer", "path", "io")
_MUTABLE = (
    (re.compile(r"(?i)/(?:-/)?(?:raw|blob|resolve)/(main|master|HEAD|develop|dev)/"), "branch"),
    (
        re.compile(r"(?i)raw\.githubusercontent\.com/[^/]+/[^/]+/(main|master|HEAD|develop)/"),
        "branch",
    ),
    (re.compile(r"(?i)/(main|master)/"), "branch"),
    (re.compile(r"(?i):(latest)\b"), "tag"),
    (re.compile(r"(?i)(?:^|[/=_.-])(latest)(?:[/?&_.-]|$)"), "alias"),
)
_DATA_NAME = re.compile(r"(?i)download|fetch|ingest|prepare|get_data|load_data|dataset|data")
_SHELL_GET = re.compile(r"\b(?:wget|curl)\b[^#\n]*?(https?://[^\s'\"]+)")


def mutable_reason(url: str) -> str | None:
    """Why a URL names content that can change (`branch main`, `tag latest`), else None."""
    if not url.lower().startswith(("http://", "https://", "s3://", "gs://")):
        return None
    for rx, what in _MUTABLE:
        m = rx.search(url.split("://", 1)[1])
        if m:
            return f"{what} `{m.group(1)}`"
    return None


def _url_of(call: object, pf: PythonFacts) -> str | None:
    value = (
        call.args[0]
        if call.args
        else next(  # type: ignore[attr-defined]
            (call.kw(k) for k in URL_KWARGS if call.has_kw(k)),  # type: ignore[attr-defined]
            None,
        )
    )
    if call.attr == "get_file" and len(call.args) > 1:  # type: ignore[attr-defined]
        value = call.args[1]  # type: ignore[attr-defined]
    if isinstance(value, str) and value.startswith("$"):
        value = next((a.value for a in pf.assigns if a.name == value[1:]), None)
    return value if isinstance(value, str) else None


@check("infra-1")
def mutable_training_data(facts: Facts) -> Iterator[Finding]:
    """Training data downloaded at train time from a location that can change.

    Downloads (`requests.get`, `urllib.request.urlretrieve`, `pd.read_csv("https://...")`,
    `get_file`, `wget`/`curl` in scripts, DVC commands and Makefiles) from URLs on a branch
    (`/main/`, `/master/`, raw.githubusercontent.com/.../main/...) or an alias such as `latest`,
    in training code or data-preparation code. While the data can change under the same
    address, training cannot be reproduced automatically: the item is capped at manual.
    """
    code = set(training_code(facts))
    for path, pf in facts.python_files(mentions=("http",), notebooks=True, tests=False):
        base = path.rsplit("/", 1)[-1]
        if path not in code and not _DATA_NAME.search(base):
            continue
        for call in pf.calls_to(*DOWNLOAD_CALLS):
            url = _url_of(call, pf)
            reason = mutable_reason(url) if url else None
            if reason:
                yield Finding(
                    "infra-1",
                    f"training data downloaded from a mutable location ({reason}): {url}",
                    path,
                    call.line,
                    cap="manual",
                )
    scripts = [
        p
        for p in facts.repo.files
        if not p.startswith("../")
        and not is_test_path(p)
        and (p.endswith((".sh", ".bash")) or p.rsplit("/", 1)[-1] in ("Makefile", "dvc.yaml"))
    ]
    for path, line, text in facts.grep(_SHELL_GET, scripts):
        m = _SHELL_GET.search(text)
        reason = mutable_reason(m.group(1)) if m and not text.startswith("#") else None
        if reason:
            yield Finding(
                "infra-1",
                f"training data downloaded from a mutable location ({reason}): {m.group(1)}",
                path,
                line,
                cap="manual",
            )
