"""infra-4 (REVIEW-L D3): LLM/RAG evaluation gates. RAGAS-style scores, DeepEval and LlamaIndex
verdicts count when the test scores the system's own answers; literal answers do not, and a
repository that serves (no training) is an application, not a library."""

from __future__ import annotations

from pathlib import Path

from tests.checks.infra.test_infra_accuracy import _ev, _hints
from tests.helpers import audit, levels, make_repo, run_check

CHECK = "metric-assertions-in-tests"
RAG = """\
from langchain_openai import ChatOpenAI


def build_retriever(docs):
    return docs


def answer(question, retriever):
    context = "\\n".join(retriever)
    return ChatOpenAI(model="gpt-4o-mini").invoke(context + question).content, retriever
"""
API = """\
from fastapi import FastAPI
from src.rag import answer, build_retriever

app = FastAPI()
retriever = build_retriever(["doc"])


@app.post("/ask")
def ask(q: str):
    return {"answer": answer(q, retriever)[0]}
"""
CI = """\
name: eval
on: [push, pull_request]
jobs:
  eval:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pytest tests
"""
RAGAS_LIVE = """\
from datasets import Dataset
from ragas import evaluate
from ragas.metrics import faithfulness
from src.rag import answer, build_retriever


def test_rag_quality_gate():
    retriever = build_retriever(["doc"])
    rows = {"question": [], "answer": [], "contexts": []}
    for q in ["What is the refund window?"]:
        text, contexts = answer(q, retriever)
        rows["question"].append(q)
        rows["answer"].append(text)
        rows["contexts"].append(contexts)
    scores = evaluate(Dataset.from_dict(rows), metrics=[faithfulness])
    assert scores["faithfulness"] >= 0.75
"""
RAGAS_LITERAL = """\
from datasets import Dataset
from ragas import evaluate
from ragas.metrics import faithfulness
from src.rag import build_retriever


def test_rag_quality_gate():
    retriever = build_retriever(["doc"])
    rows = {"question": ["q"], "answer": ["Refunds within 30 days."], "contexts": [["doc"]]}
    scores = evaluate(Dataset.from_dict(rows), metrics=[faithfulness]).to_pandas()
    assert scores["faithfulness"].mean() >= 0.75
"""
DEEPEVAL_LIVE = """\
from deepeval import assert_test
from deepeval.metrics import FaithfulnessMetric
from deepeval.test_case import LLMTestCase
from src.rag import answer, build_retriever


def test_faithfulness():
    text, ctx = answer("q", build_retriever(["doc"]))
    case = LLMTestCase(input="q", actual_output=text, retrieval_context=ctx)
    assert_test(case, [FaithfulnessMetric(threshold=0.7)])
"""
DEEPEVAL_LITERAL = """\
from deepeval import assert_test
from deepeval.metrics import FaithfulnessMetric
from deepeval.test_case import LLMTestCase


def test_faithfulness():
    case = LLMTestCase(input="q", actual_output="30 days", retrieval_context=["30 days"])
    assert_test(case, [FaithfulnessMetric(threshold=0.7)])
"""
CONFTEST = """\
import pytest
from src.rag import answer, build_retriever


@pytest.fixture
def response():
    return answer("q", build_retriever(["doc"]))
"""
DEEPEVAL_MEASURE = """\
from deepeval.metrics import AnswerRelevancyMetric
from deepeval.test_case import LLMTestCase


def test_relevancy(response):
    metric = AnswerRelevancyMetric(threshold=0.8)
    metric.measure(LLMTestCase(input="q", actual_output=response[0]))
    assert metric.is_successful()
"""
LLAMA_LIVE = """\
from llama_index.core.evaluation import FaithfulnessEvaluator
from src.rag import answer, build_retriever


def test_faithful():
    text, _ = answer("q", build_retriever(["doc"]))
    result = FaithfulnessEvaluator().evaluate(query="q", response=text)
    assert result.passing
"""


def _app(tmp_path: Path, test: str, **extra: str) -> Path:
    files = {
        "src/__init__.py": "",
        "src/rag.py": RAG,
        "src/api.py": API,
        ".github/workflows/eval.yml": CI,
        "tests/test_eval.py": test,
        **extra,
    }
    return make_repo(tmp_path, files)


def test_ragas_gate_on_the_systems_answers_is_automated(tmp_path: Path) -> None:
    root = _app(tmp_path, RAGAS_LIVE)
    ev = _ev(run_check(root, CHECK))
    assert [(e[0], e[1], e[2], e[4]) for e in ev] == [
        (
            'test asserts scores["faithfulness"] >= 0.75',
            "tests/test_eval.py:7",
            "test",
            "test_rag_quality_gate",
        )
    ]
    assert levels(audit(root))["infra-4"] == "automated"


def test_deepeval_assert_test_on_the_systems_answers_is_automated(tmp_path: Path) -> None:
    root = _app(tmp_path, DEEPEVAL_LIVE)
    ev = _ev(run_check(root, CHECK))
    assert [(e[0], e[1]) for e in ev] == [
        (
            "test asserts DeepEval assert_test with FaithfulnessMetric(threshold=0.7)",
            "tests/test_eval.py:7",
        )
    ]
    assert levels(audit(root))["infra-4"] == "automated"


def test_deepeval_measure_on_a_conftest_fixture_is_automated(tmp_path: Path) -> None:
    root = _app(tmp_path, DEEPEVAL_MEASURE, **{"tests/conftest.py": CONFTEST})
    ev = _ev(run_check(root, CHECK))
    assert [(e[0], e[1]) for e in ev] == [
        (
            "test asserts DeepEval metric.is_successful() with "
            "AnswerRelevancyMetric(threshold=0.8)",
            "tests/test_eval.py:5",
        )
    ]
    assert levels(audit(root))["infra-4"] == "automated"


def test_llamaindex_passing_verdict_is_automated(tmp_path: Path) -> None:
    root = _app(tmp_path, LLAMA_LIVE)
    ev = _ev(run_check(root, CHECK))
    assert [(e[0], e[1]) for e in ev] == [
        ("test asserts LlamaIndex evaluator verdict `result.passing`", "tests/test_eval.py:5")
    ]
    assert levels(audit(root))["infra-4"] == "automated"


def test_trap_ragas_on_literal_answers_is_not_a_gate(tmp_path: Path) -> None:
    root = _app(tmp_path, RAGAS_LITERAL)
    found = run_check(root, CHECK)
    assert _ev(found) == []
    assert any("evaluates fixed strings, not the system" in h for h in _hints(found))
    assert levels(audit(root))["infra-4"] == "none"


def test_trap_deepeval_on_a_literal_case_is_not_a_gate(tmp_path: Path) -> None:
    root = _app(tmp_path, DEEPEVAL_LITERAL)
    found = run_check(root, CHECK)
    assert _ev(found) == []
    assert any("tests/test_eval.py:6" in h for h in _hints(found))
    assert levels(audit(root))["infra-4"] == "none"


def test_trap_a_library_without_serving_or_training_earns_nothing(tmp_path: Path) -> None:
    root = _app(tmp_path, RAGAS_LIVE)
    (root / "src/api.py").unlink()
    found = run_check(root, CHECK)
    assert _ev(found) == []
    assert any("no training entry point" in h for h in _hints(found))


def test_trap_serving_app_asserting_on_literal_predictions(tmp_path: Path) -> None:
    test = """\
    from sklearn.metrics import accuracy_score


    def test_accuracy():
        assert accuracy_score([1, 0, 1], [1, 0, 1]) >= 0.9
    """
    root = _app(tmp_path, test)
    assert _ev(run_check(root, CHECK)) == []
    assert levels(audit(root))["infra-4"] == "none"
