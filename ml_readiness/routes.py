"""Web routes, test-client requests and startup hooks of the audited repo's web apps.

`routes(facts, path)` lists the routes a file declares (FastAPI/Starlette/Flask/Quart decorators
and registrations), `match_routes` finds the routes a request reaches, `client_route_targets`
follows a test's `client.post("/predict")` to the route handlers, and `startup_hooks` names the
functions an app runs when it starts. All are computed once per file and audit (`Facts.memo`).
"""

from __future__ import annotations

from dataclasses import dataclass

from ml_readiness.facts import Facts, is_test_path
from ml_readiness.facts.imports import module_index
from ml_readiness.facts.python import Call, PythonFacts

HTTP_VERBS = {"get", "post", "put", "patch", "delete", "route", "api_route", "websocket"}
WEB_APPS = {
    "fastapi.FastAPI": "fastapi",
    "fastapi.APIRouter": "fastapi",
    "flask.Flask": "flask",
    "flask.Blueprint": "flask",
    "starlette.applications.Starlette": "starlette",
    "quart.Quart": "flask",
}
TEST_CLIENTS = frozenset({"TestClient", "test_client", "AsyncClient"})
CLIENT_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options"})
STARTUP_DECORATORS = ("before_first_request", "before_app_first_request", "before_serving")
ROUTE_CALLS = ("add_url_rule", "add_api_route")


@dataclass(frozen=True)
class Route:
    """A web route: its handler (`path`, `symbol`), URL pattern and HTTP methods (lower case;
    empty when not known statically)."""

    path: str
    symbol: str
    url: str
    methods: frozenset[str]


def routes(facts: Facts, path: str) -> list[Route]:
    """Routes a file declares: `@app.post("/predict")` / `@router.get(...)` / `@app.route(...,
    methods=[...])` on a function (nested in a `create_app()` factory too),
    `add_url_rule`/`add_api_route`/starlette `Route(...)` naming a function of the file."""
    cache = facts.memo("entrypoints.routes", lambda _f: {})
    found = cache.get(path)
    if found is None:
        pf = facts.python(path)
        found = cache[path] = _routes_in(path, pf) if pf is not None else []
    return found


def _routes_in(path: str, pf: PythonFacts) -> list[Route]:
    lines = {f.qualname: f.line for f in pf.functions}
    out = []
    for c in pf.calls:
        url = c.args[0] if c.args and isinstance(c.args[0], str) else ""
        if not url.startswith("/"):
            continue
        if c.attr in HTTP_VERBS and c.line < lines.get(c.scope, 0):  # a decorator
            out.append(Route(path, c.scope, url, _methods(c)))
        elif c.attr in ROUTE_CALLS or c.qualified.endswith("routing.Route"):
            target = c.kw("view_func") or c.kw("endpoint")
            position = 2 if c.attr == "add_url_rule" else 1
            if target is None and len(c.args) > position:
                target = c.args[position]
            name = target[1:] if isinstance(target, str) and target.startswith("$") else ""
            nested = f"{c.scope}.{name}"
            symbol = nested if nested in lines else name if name in lines else None
            if symbol:
                out.append(Route(path, symbol, url, _methods(c)))
    return out


def _methods(c: Call) -> frozenset[str]:
    if c.attr in CLIENT_VERBS:
        return frozenset({c.attr})
    if c.attr == "websocket":
        return frozenset({"websocket"})
    methods = c.kw("methods")
    if isinstance(methods, tuple):
        return frozenset(m.lower() for m in methods if isinstance(m, str))
    return frozenset({"get"}) if methods is None else frozenset()  # GET is the default


def route_path(pf: PythonFacts, qualname: str) -> str | None:
    """The URL path of a route handler (`@app.post("/predict")` on the function)."""
    return next((r.url for r in _routes_in(pf.path, pf) if r.symbol == qualname), None)


def match_routes(candidates: list[Route], url: str, verb: str) -> list[Route]:
    """The routes a request `verb url` reaches: exact patterns first (`{id}`/`<int:id>` match
    one segment), else patterns that end the URL (a router or blueprint prefix)."""
    wanted = [s for s in url.split("?")[0].split("#")[0].split("/") if s]
    exact, suffix = [], []
    for r in candidates:
        if r.methods and verb not in r.methods:
            continue
        pattern = [s for s in r.url.split("/") if s]
        if _segments_match(pattern, wanted):
            exact.append(r)
        elif 0 < len(pattern) < len(wanted) and _segments_match(pattern, wanted[-len(pattern) :]):
            suffix.append(r)
    return exact or suffix


def _segments_match(pattern: list[str], url: list[str]) -> bool:
    if len(pattern) != len(url):
        return False
    pairs = zip(pattern, url, strict=True)
    return all(p == u or p[:1] in "{<" and p[-1:] in "}>" for p, u in pairs)


def client_route_targets(facts: Facts, path: str) -> dict[str, list[tuple[str, str]]]:
    """Scope → route handlers (path, qualname) that the scope's test-client requests reach.

    A request is `client.post("/predict", ...)` (any HTTP verb, a literal path or a module
    constant) in a file that, or whose conftest.py, builds a test client (FastAPI/Starlette
    `TestClient`, httpx `AsyncClient`, Flask `app.test_client()`). The routes are looked up in
    the repository modules imported by those files and in the modules they import."""
    cache = facts.memo("entrypoints.client_routes", lambda _f: {})
    found = cache.get(path)
    if found is None:
        found = cache[path] = _client_routes(facts, path)
    return found


def _client_routes(facts: Facts, path: str) -> dict[str, list[tuple[str, str]]]:
    pf = facts.python(path)
    if pf is None:
        return {}
    constants = {a.name: a.value for a in pf.assigns if isinstance(a.value, str)}
    requests = []
    for c in pf.calls:
        url = c.args[0] if c.attr in CLIENT_VERBS and "." in c.name and c.args else None
        if isinstance(url, str) and url.startswith("$"):
            url = constants.get(url[1:])
        if isinstance(url, str) and url.startswith("/"):
            requests.append((c, url))
    if not requests:
        return {}
    sources = [(path, pf)]
    folder = path.rpartition("/")[0]
    while True:
        conftest = f"{folder}/conftest.py" if folder else "conftest.py"
        other = facts.python(conftest) if facts.repo.exists(conftest) else None
        if other is not None and conftest != path:
            sources.append((conftest, other))
        if not folder:
            break
        folder = folder.rpartition("/")[0]
    if not any(c.attr in TEST_CLIENTS for _, spf in sources for c in spf.calls):
        return {}
    index = module_index(facts)
    modules = dict.fromkeys(
        m for p, spf in sources for i in spf.imports for m in index.resolve(p, i)
    )
    for module in list(modules):  # an app module including routers from other modules
        mpf = facts.python(module)
        for i in mpf.imports if mpf else ():
            modules.update(dict.fromkeys(index.resolve(module, i)))
    candidates = [r for m in modules if not is_test_path(m) for r in routes(facts, m)]
    out: dict[str, list[tuple[str, str]]] = {}
    for c, url in requests:
        for r in match_routes(candidates, url, c.attr):
            out.setdefault(c.scope, []).append((r.path, r.symbol))
    return out


def startup_hooks(facts: Facts, path: str) -> list[tuple[str, str]]:
    """Functions a web app of `path` runs when it starts: FastAPI/Starlette `lifespan=` and
    `on_startup=[...]`, `@app.on_event("startup")`, `add_event_handler("startup", f)`, Flask
    and Quart `before_first_request`/`before_serving`."""
    cache = facts.memo("entrypoints.startup_hooks", lambda _f: {})
    found = cache.get(path)
    if found is None:
        found = cache[path] = _startup_hooks(facts, path)
    return found


def _startup_hooks(facts: Facts, path: str) -> list[tuple[str, str]]:
    # a hook named by an imported function is resolved by the call graph, which itself starts
    # from these hooks: imported here, not at the top, so the two modules do not import in a loop
    from ml_readiness.reach import _is_func, resolve_name

    pf = facts.python(path)
    if pf is None:
        return []
    lines = {f.qualname: f.line for f in pf.functions}
    out: list[tuple[str, str]] = []
    for c in pf.calls:
        names: list = []
        if c.qualified in WEB_APPS:
            for key in ("lifespan", "on_startup"):
                value = c.kw(key)
                names += list(value) if isinstance(value, tuple) else [value]
        elif c.attr == "on_event" and c.args[:1] == ("startup",):
            if c.line < lines.get(c.scope, 0):  # the decorator of the hook
                out.append((path, c.scope))
        elif c.attr == "add_event_handler" and c.args[:1] == ("startup",) and len(c.args) > 1:
            names.append(c.args[1])
        for name in names:
            if not (isinstance(name, str) and name.startswith("$")):
                continue
            nested = f"{c.scope}.{name[1:]}"
            if nested in lines:
                out.append((path, nested))
            else:
                out += [t for t in resolve_name(facts, path, pf, name[1:]) if _is_func(facts, t)]
    for fn in pf.functions:
        if any(d.rpartition(".")[2] in STARTUP_DECORATORS for d in fn.decorators):
            out.append((path, fn.qualname))
    return list(dict.fromkeys(out))
