"""data-7 for LLM/NLP projects: the model's input "feature code" is prompt templating and
tokenisation applied to the training data. Only code linked to training counts: a function
applied by `dataset.map(...)`, passed as `collate_fn=`/`data_collator=`/`formatting_func=` (or a
`*Collator` class built) in training code, or a function of training code that calls the
tokenizer (`tokenizer(...)`, `apply_chat_template`). A web app's `templates.py` never is."""

from __future__ import annotations

from ml_readiness.checks.infra._shared import training_code

from ml_readiness.facts import Facts, is_test_path
from ml_readiness.facts.imports import imported_files
from ml_readiness.facts.python import Call, Function, PythonFacts

FED_KWARGS = ("collate_fn", "data_collator", "formatting_func", "function")
TOKENIZE_ATTRS = frozenset({"tokenizer", "apply_chat_template", "batch_encode_plus", "encode_plus"})
MAX_SPAN = 30


def _call_span(facts: Facts, path: str, call: Call) -> int:
    """The last line of a `.map(` call that starts on `call.line` (parentheses balanced)."""
    lines = facts.lines(path)
    if not 0 < call.line <= len(lines):
        return call.line
    first = lines[call.line - 1]
    start = first.find(".map(")
    depth = 0
    for offset, raw in enumerate(lines[call.line - 1 : call.line - 1 + MAX_SPAN]):
        text = raw[start:] if offset == 0 and start >= 0 else raw
        for ch in text.split("#", 1)[0]:
            depth += (ch == "(") - (ch == ")")
            if depth == 0 and ch == ")":
                return call.line + offset
    return call.line


def _fed_to_training(facts: Facts, path: str, pf: PythonFacts) -> list[tuple[str, str]]:
    """(function or class name, how) that training code applies to its data."""
    out: list[tuple[str, str]] = []
    for call in pf.calls:
        if call.attr == "map" and "." in call.name:
            arg = call.args[0] if call.args else call.kw("function")
            if isinstance(arg, str) and arg.startswith("$"):
                out.append((arg[1:].rsplit(".", 1)[-1], "is applied by `.map(...)`"))
                continue
            end = _call_span(facts, path, call)
            out += [
                (c.attr, "is applied by `.map(...)`")
                for c in pf.calls
                if c is not call and c.scope == call.scope and call.line <= c.line <= end
            ]
        for key, value in call.kwargs:
            if key in FED_KWARGS and isinstance(value, str) and value.startswith("$"):
                out.append((value[1:].rsplit(".", 1)[-1], f"is passed as `{key}=`"))
        if call.attr.endswith("Collator") and call.attr[:1].isupper():
            out.append((call.attr, "is the data collator"))
    return out


def _names(pf: PythonFacts, fn: Function) -> set[str]:
    """What a test calls to exercise `fn`: its name and the methods it calls on `self`
    (`format_train` calling `self.format`)."""
    names = {fn.name}
    if fn.class_name:
        names |= {
            c.attr
            for c in pf.calls
            if c.scope == fn.qualname and c.name.startswith("self.") and c.name.count(".") == 1
        }
    return names


def nlp_input_modules(facts: Facts) -> dict[str, tuple[str, set[str]]]:
    """Modules holding prompt templating/tokenisation applied to the training data:
    path -> (why, names a test must call)."""

    def compute(f: Facts) -> dict[str, tuple[str, set[str]]]:
        out: dict[str, tuple[str, set[str]]] = {}
        code = [p for p in training_code(f) if p.endswith(".py")]
        for path in code:
            pf = f.python(path)
            if pf is None:
                continue
            fed = _fed_to_training(f, path, pf)
            if not fed:
                continue
            for target in [path, *imported_files(f, path, pf)]:
                tpf = f.python(target)
                if tpf is None or is_test_path(target):
                    continue
                for name, how in fed:
                    fn = next((x for x in tpf.functions if x.name == name), None)
                    cls = next((c for c in tpf.classes if c.qualname == name), None)
                    if fn is not None:
                        why, names = f"`{fn.qualname}` {how} in {path}", _names(tpf, fn)
                    elif cls is not None:
                        why, names = f"`{cls.qualname}` {how} in {path}", {cls.qualname}
                    else:
                        continue
                    old = out.get(target)
                    out[target] = (old[0] if old else why, (old[1] if old else set()) | names)
        for path in code:
            pf = f.python(path)
            if pf is None or path in out:
                continue
            fns = [
                fn
                for fn in pf.functions
                if any(c.scope == fn.qualname and c.attr in TOKENIZE_ATTRS for c in pf.calls)
            ]
            if fns:
                why = f"`{fns[0].qualname}` tokenises training text"
                out[path] = (why, {fn.name for fn in fns})
        return out

    return facts.memo("data7:nlp_inputs", compute)
