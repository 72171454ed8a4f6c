"""Proves that scripts/deploy.sh hands `sam deploy` exactly the parameters set in the
environment (or in DEPLOY_VARIABLES), in a form the SAM CLI parses back to the same values, and nothing else; and that
every parameter of template.yaml has its variable, passed by the deploy workflow.

Usage: python -m unittest scripts/test_deploy.py   (needs the SAM CLI installed, for its parser)
"""

import json
import os
import shutil
import pathlib
import re
import subprocess
import tempfile
import unittest

from samcli.cli.types import CfnParameterOverridesType
from samtranslator.yaml_helper import yaml_parse

SCRIPT = pathlib.Path(__file__).resolve().parent / "deploy.sh"
ROOT = SCRIPT.parent.parent
MANIFEST = json.loads((ROOT / "manifest.json").read_text())
# Deploy variable -> stack parameter, for every setting with a parameter.
PARAMETERS = {setting["var"]: setting["parameter"] for setting in MANIFEST["settings"] if setting["parameter"]}
VARIABLES = list(PARAMETERS)


class DeployScriptTest(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.TemporaryDirectory()
        self.root = pathlib.Path(self.folder.name)
        (self.root / ".aws-sam" / "build").mkdir(parents=True)
        (self.root / ".aws-sam" / "build" / "template.yaml").write_text("Resources: {}\n")
        shutil.copy(ROOT / "manifest.json", self.root / "manifest.json")
        # A stand-in for sam that records its arguments, one per line.
        self.fake_sam = self.root / "sam"
        self.fake_sam.write_text('#!/bin/sh\nprintf "%s\\n" "$@" > "$0.args"\n')
        self.fake_sam.chmod(0o755)

    def tearDown(self):
        self.folder.cleanup()

    def run_deploy(self, *args: str, **variables: str) -> subprocess.CompletedProcess:
        env = {name: value for name, value in os.environ.items() if name not in VARIABLES and name != "DEPLOY_VARIABLES"}
        env.update(variables, SAM=str(self.fake_sam))
        return subprocess.run(
            ["bash", str(SCRIPT), *args], cwd=self.root, env=env, capture_output=True, text=True, timeout=30
        )

    def sam_args(self) -> list[str]:
        return (self.root / "sam.args").read_text().splitlines()

    def test_no_variable_set_sets_no_parameter(self):
        result = self.run_deploy("--config-env", "ci")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(self.sam_args(), ["deploy", "--config-env", "ci"])
        self.assertIn("setting no parameter", result.stdout)

    def test_set_variables_become_the_only_overrides(self):
        result = self.run_deploy(
            "--s3-bucket",
            "bucket",
            CORS_ALLOWED_ORIGINS="https://app.example.com,http://localhost:3000",
            TOKEN_TTL_SECONDS="86400",
            API_BURST_LIMIT="",
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        args = self.sam_args()
        self.assertEqual(args[:2], ["deploy", "--parameter-overrides"])
        self.assertEqual(args[3:], ["--s3-bucket", "bucket"])
        parsed = CfnParameterOverridesType().convert((args[2],), None, None)
        self.assertEqual(
            parsed,
            {"CorsAllowedOrigins": "https://app.example.com,http://localhost:3000", "TokenTtlSeconds": "86400"},
        )

    def test_every_variable_maps_to_its_parameter(self):
        values = {name: str(index + 1) for index, name in enumerate(VARIABLES)}
        result = self.run_deploy(**values)
        self.assertEqual(result.returncode, 0, result.stderr)
        parsed = CfnParameterOverridesType().convert((self.sam_args()[2],), None, None)
        self.assertEqual(parsed, {PARAMETERS[name]: value for name, value in values.items()})
        self.assertEqual(parsed["TokenTtlSeconds"], values["TOKEN_TTL_SECONDS"])
        self.assertEqual(len(parsed), len(PARAMETERS))

    def test_deploy_variables_replace_the_environment_and_only_parameters_are_read(self):
        variables = {"TOKEN_FORMAT": "prefixed", "AWS_REGION": "eu-west-1", "USERS_TABLE": "x", "LOGIN_RATE_LIMIT": ""}
        result = self.run_deploy(DEPLOY_VARIABLES=json.dumps(variables), TOKEN_TTL_SECONDS="60")
        self.assertEqual(result.returncode, 0, result.stderr)
        parsed = CfnParameterOverridesType().convert((self.sam_args()[2],), None, None)
        self.assertEqual(parsed, {"TokenFormat": "prefixed"})

    def test_without_the_manifest_it_refuses_to_deploy(self):
        (self.root / "manifest.json").unlink()
        result = self.run_deploy()
        self.assertEqual(result.returncode, 1)
        self.assertIn("could not read manifest.json", result.stderr)
        self.assertFalse((self.root / "sam.args").exists())

    def test_a_value_with_a_space_is_refused_before_sam_runs(self):
        result = self.run_deploy(CORS_ALLOWED_ORIGINS="https://a.example.com, https://b.example.com")
        self.assertEqual(result.returncode, 2)
        self.assertIn("CORS_ALLOWED_ORIGINS must not contain spaces", result.stderr)
        self.assertFalse((self.root / "sam.args").exists())

    def test_a_bootstrap_that_is_not_executable_is_refused(self):
        function = self.root / ".aws-sam" / "build" / "WhoamiFunction"
        function.mkdir()
        (function / "bootstrap").write_bytes(b"\x7fELF")
        (function / "bootstrap").chmod(0o644)
        result = self.run_deploy()
        self.assertEqual(result.returncode, 1)
        self.assertIn("WhoamiFunction/bootstrap is not executable", result.stderr)
        self.assertFalse((self.root / "sam.args").exists())
        (function / "bootstrap").chmod(0o755)
        self.assertEqual(self.run_deploy().returncode, 0)

    def run_without_sam_set(self, path_sam_version: str | None, venv_sam: bool) -> subprocess.CompletedProcess:
        bin_dir = self.root / "bin"
        bin_dir.mkdir(exist_ok=True)
        (self.root / "scripts").mkdir(exist_ok=True)
        (self.root / "scripts" / "requirements-deploy.in").write_text("aws-sam-cli==1.170.0\n")
        if path_sam_version:
            path_sam = bin_dir / "sam"
            path_sam.write_text(f'#!/bin/sh\n[ "$1" = --version ] && echo "SAM CLI, version {path_sam_version}" && exit 0\n'
                                'printf "%s\\n" "$@" > "$0.args"\n')
            path_sam.chmod(0o755)
        if venv_sam:
            (self.root / ".venv" / "bin").mkdir(parents=True, exist_ok=True)
            venv = self.root / ".venv" / "bin" / "sam"
            venv.write_text('#!/bin/sh\nprintf "%s\\n" "$@" > "$0.args"\n')
            venv.chmod(0o755)
        env = {name: value for name, value in os.environ.items() if name not in VARIABLES and name != "SAM"}
        env["PATH"] = f"{bin_dir}:/usr/bin:/bin"
        return subprocess.run(["bash", str(SCRIPT)], cwd=self.root, env=env, capture_output=True, text=True, timeout=30)

    def test_the_pinned_sam_in_venv_is_preferred_to_one_on_path(self):
        result = self.run_without_sam_set("1.100.0", venv_sam=True)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue((self.root / ".venv" / "bin" / "sam.args").exists())
        self.assertFalse((self.root / "bin" / "sam.args").exists())

    def test_a_sam_on_path_of_another_version_is_refused(self):
        result = self.run_without_sam_set("1.100.0", venv_sam=False)
        self.assertEqual(result.returncode, 1)
        self.assertIn("not the pinned 1.170.0", result.stderr)
        self.assertFalse((self.root / "bin" / "sam.args").exists())

    def test_the_pinned_sam_on_path_is_used(self):
        result = self.run_without_sam_set("1.170.0", venv_sam=False)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue((self.root / "bin" / "sam.args").exists())

    def test_without_a_build_it_refuses_to_deploy(self):
        (self.root / ".aws-sam" / "build" / "template.yaml").unlink()
        result = self.run_deploy()
        self.assertEqual(result.returncode, 1)
        self.assertIn("run bash scripts/package.sh first", result.stderr)
        self.assertFalse((self.root / "sam.args").exists())


class GuidedDeployTest(unittest.TestCase):
    def test_sam_deploy_guided_asks_no_authentication_question(self):
        # SAM CLI's own check, the one behind "<Function> has no authentication. Is this okay?".
        from samcli.commands.deploy.auth_utils import auth_per_resource
        from samcli.lib.providers.sam_stack_provider import SamLocalStackProvider

        stacks, _ = SamLocalStackProvider.get_stacks(str(SCRIPT.parent.parent / "template.yaml"))
        unauthenticated = [resource for resource, authenticated in auth_per_resource(stacks) if not authenticated]
        self.assertEqual(unauthenticated, [])


class WorkflowTest(unittest.TestCase):
    def test_the_deploy_workflow_hands_the_script_its_repository_variables(self):
        workflow = yaml_parse((ROOT / ".github" / "workflows" / "deploy.yml").read_text())
        step = workflow["jobs"]["deploy"]["steps"][-1]
        self.assertIn("bash scripts/deploy.sh", step["run"])
        self.assertEqual(step["env"]["DEPLOY_VARIABLES"], "${{ toJSON(vars) }}")


if __name__ == "__main__":
    unittest.main()
