"""Proves that scripts/check_artifact.py accepts a build that is what the commit declares (as
`sam build` writes it: each function's CodeUri its build directory, SamResourceId added) and
refuses every change made on the way: to the template, to a bootstrap, or beside them.

Usage: python -m unittest scripts/test_check_artifact.py   (needs the SAM CLI installed)
"""

import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import unittest

import yaml
from samtranslator.yaml_helper import yaml_parse

SCRIPT = pathlib.Path(__file__).resolve().parent / "check_artifact.py"
ROOT = SCRIPT.parent.parent
TEMPLATE = SCRIPT.parent.parent / "template.yaml"
VARIABLES = {"AWS_DEPLOY_ROLE_ARN": "arn:aws:iam::111122223333:role/r", "AWS_ARTIFACTS_BUCKET": "b",
             "AWS_REGION": "eu-west-1", "PERMISSIONS_BOUNDARY_ARN": "arn:aws:iam::111122223333:policy/p"}


class CheckArtifactTest(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.TemporaryDirectory()
        self.root = pathlib.Path(self.folder.name)
        shutil.copy(TEMPLATE, self.root / "template.yaml")
        self.build = self.root / ".aws-sam" / "build"
        self.build.mkdir(parents=True)
        # What sam build writes: the template, each function's CodeUri its build directory and
        # SamResourceId in its metadata; one directory per function, with its bootstrap.
        self.template = yaml_parse(TEMPLATE.read_text())
        for name, resource in self.template["Resources"].items():
            # A layer is not built: its ContentUri names the commit's folder from the build directory.
            if resource["Type"] == "AWS::Serverless::LayerVersion":
                resource["Properties"]["ContentUri"] = "../../" + resource["Properties"]["ContentUri"].rstrip("/")
            if resource["Type"] == "AWS::Serverless::Function":
                resource["Properties"]["CodeUri"] = name
                resource["Metadata"]["SamResourceId"] = name
                (self.build / name).mkdir()
                (self.build / name / "bootstrap").write_bytes(f"ELF of {name}".encode())
        self.write_built_template()

    def tearDown(self):
        self.folder.cleanup()

    def write_built_template(self):
        (self.build / "template.yaml").write_text(yaml.safe_dump(self.template, sort_keys=False))

    def run_script(self, *args, variables=VARIABLES) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if k not in VARIABLES} | variables
        return subprocess.run([sys.executable, str(SCRIPT), *args], cwd=self.root, env=env,
                              capture_output=True, text=True, timeout=60)

    def recorded(self) -> str:
        result = self.run_script("digests")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(result.stdout.startswith("bootstraps="))
        return result.stdout.strip().removeprefix("bootstraps=")

    def check(self, digests: str, **kwargs) -> subprocess.CompletedProcess:
        return self.run_script("check", "--digests", digests, "--require-variables", **kwargs)

    def assertRefused(self, result, fragment):
        self.assertEqual(result.returncode, 1, result.stdout)
        self.assertIn(fragment, result.stderr)
        self.assertIn("refusing to deploy", result.stderr)

    def test_the_build_of_this_commit_is_accepted(self):
        result = self.check(self.recorded())
        self.assertEqual(result.returncode, 0, result.stderr)
        functions = len(json.loads((ROOT / "manifest.json").read_text())["functions"])
        self.assertIn(f"{functions} bootstraps and the template are what this commit declares", result.stdout)

    def test_a_resource_added_to_the_built_template_is_refused(self):
        digests = self.recorded()
        self.template["Resources"]["Backdoor"] = {"Type": "AWS::IAM::Role", "Properties": {}}
        self.write_built_template()
        self.assertRefused(self.check(digests), "differs from this commit's template.yaml at Resources.Backdoor: added")

    def test_a_policy_changed_in_the_built_template_is_refused(self):
        digests = self.recorded()
        statement = self.template["Resources"]["WhoamiFunction"]["Properties"]["Policies"][0]["Statement"][0]
        statement["Action"] = ["dynamodb:*"]
        self.write_built_template()
        self.assertRefused(self.check(digests), "Resources.WhoamiFunction.Properties.Policies")

    def test_a_layer_packaging_another_folder_is_refused(self):
        digests = self.recorded()
        self.template["Resources"]["MailTemplatesLayer"]["Properties"]["ContentUri"] = "../../elsewhere"
        self.write_built_template()
        self.assertRefused(self.check(digests), "the layer MailTemplatesLayer packages '../../elsewhere'")

    def test_a_bootstrap_changed_after_the_build_is_refused(self):
        digests = self.recorded()
        (self.build / "LoginFunction" / "bootstrap").write_bytes(b"something else")
        self.assertRefused(self.check(digests), "LoginFunction/bootstrap is not the one the build job built")

    def test_a_file_beside_a_bootstrap_is_refused(self):
        digests = self.recorded()
        (self.build / "WhoamiFunction" / "extra.so").write_bytes(b"x")
        self.assertRefused(self.check(digests), "WhoamiFunction holds ['bootstrap', 'extra.so']")

    def test_a_directory_no_function_builds_is_refused(self):
        digests = self.recorded()
        (self.build / "OtherFunction").mkdir()
        self.assertRefused(self.check(digests), "OtherFunction is not the build of any function")

    def test_a_function_without_a_recorded_digest_is_refused(self):
        digests = json.loads(self.recorded())
        del digests["ExampleFunction"]
        self.assertRefused(self.check(json.dumps(digests)), "recorded no digest for ExampleFunction")

    def test_a_lost_build_output_is_refused(self):
        result = self.check("")
        self.assertEqual(result.returncode, 1)
        self.assertIn("--digests is not the build job's JSON", result.stderr)

    def test_a_missing_repository_variable_is_refused(self):
        variables = dict(VARIABLES, PERMISSIONS_BOUNDARY_ARN="")
        self.assertRefused(self.check(self.recorded(), variables=variables), "not set: PERMISSIONS_BOUNDARY_ARN")


if __name__ == "__main__":
    unittest.main()
