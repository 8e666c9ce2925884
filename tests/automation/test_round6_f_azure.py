"""Round 6 (F): Azure Pipelines laid out like microsoft/MLOpsPython — pipeline files in a
`.pipelines/` folder, local step templates, and tasks (AzureCLI, PythonScript) that run
repository code."""

from __future__ import annotations

from tests.automation.util import amap_of, roots, runs

TEST = "def test_ok():\n    assert 1\n"
QUALITY = """
steps:
- script: |
   python -m pytest . --cov=src --junitxml=unit-testresults.xml
  displayName: 'Run unit tests'
- task: PublishTestResults@2
  inputs:
    testResultsFiles: '*-testresults.xml'
"""
PR = """
trigger: none
pr:
  branches:
    include:
    - master
pool:
  vmImage: 'ubuntu-latest'
steps:
- template: code-quality-template.yml
"""
CI = """
pr: none
trigger:
  branches:
    include:
    - master
stages:
- stage: 'Model_CI'
  jobs:
  - job: "Model_CI_Pipeline"
    steps:
    - template: code-quality-template.yml
    - task: AzureCLI@1
      inputs:
        scriptLocation: inlineScript
        workingDirectory: $(Build.SourcesDirectory)
        inlineScript: |
          set -e # fail on error
          python -m ml_service.build_train_pipeline
    - task: PythonScript@0
      inputs:
        scriptSource: filePath
        scriptPath: $(Build.SourcesDirectory)/ml_service/smoke_check.py
        arguments: --type ACI
"""
MANUAL = """
trigger: none
pr: none
steps:
- script: python ml_service/retrain.py
"""


def test_pipelines_folder_with_templates_and_tasks(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".pipelines/pr.yml": PR,
            ".pipelines/diabetes-ci.yml": CI,
            ".pipelines/code-quality-template.yml": QUALITY,
            ".pipelines/retrain.yml": MANUAL,
            "src/test_model.py": TEST,
            "ml_service/build_train_pipeline.py": "x = 1\n",
            "ml_service/smoke_check.py": "x = 1\n",
            "ml_service/retrain.py": "x = 1\n",
        },
    )
    assert roots(amap) == {
        ".pipelines/pr.yml#default": "change",
        ".pipelines/diabetes-ci.yml#Model_CI.Model_CI_Pipeline": "change",
        ".pipelines/retrain.yml#default": "manual",
    }
    assert runs(amap, "src/test_model.py", "test_ok") == {
        ".pipelines/pr.yml#default (change)",
        ".pipelines/diabetes-ci.yml#Model_CI.Model_CI_Pipeline (change)",
    }
    ci = ".pipelines/diabetes-ci.yml#Model_CI.Model_CI_Pipeline (change)"
    assert runs(amap, "ml_service/build_train_pipeline.py") == {ci}
    assert runs(amap, "ml_service/smoke_check.py") == {ci}
    assert runs(amap, "ml_service/retrain.py") == {".pipelines/retrain.yml#default (manual)"}


def test_trap_templates_and_other_yaml_in_a_pipelines_folder_are_not_roots(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            # a template declares no trigger: it runs only where a pipeline includes it
            ".pipelines/code-quality-template.yml": QUALITY,
            # a Kubeflow-style pipeline spec is not an Azure pipeline
            "pipelines/train.yaml": "steps:\n- name: train\n  script: python train.py\n",
            # a template from another repository is not followed
            "azure-pipelines.yml": "trigger: [main]\nsteps:\n- template: steps.yml@templates\n",
            "src/test_model.py": TEST,
            "train.py": "x = 1\n",
        },
    )
    assert roots(amap) == {"azure-pipelines.yml#default": "change"}
    assert amap.execution_of("src/test_model.py") is None
    assert amap.execution_of("train.py") is None
    assert (
        "azure-pipelines.yml",
        "template `steps.yml@templates` is outside the repository; not followed",
    ) in amap.unresolved
